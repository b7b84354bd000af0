import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { asOwner } from '@/lib/testing/owner';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { appendAuditEvent, appendAuditEvents, SYSTEM_ACTOR, verifyAuditChain } from '.';

const note = (text: string) => ({ action: 'system.note' as const, actor: SYSTEM_ACTOR, details: { note: text } });

async function appendNotes(count: number, prefix = 'n') {
  return getDb().$transaction((tx) =>
    appendAuditEvents(
      tx,
      Array.from({ length: count }, (_, i) => note(`${prefix}${i}`)),
    ),
  );
}

/** Tampering as a superuser: the triggers are disabled for the statement. */
/** As the owner, triggers off: what only a database-level attacker can do. */
async function tamper(sql: string) {
  await asOwner('ALTER TABLE "AuditEvent" DISABLE TRIGGER USER', sql, 'ALTER TABLE "AuditEvent" ENABLE TRIGGER USER');
}

async function headSeq() {
  const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  return head.seq;
}

// Tests in this file run in order on one database: each leaves a valid chain
// or restores it from a snapshot before the next.
describe('audit chain', () => {
  it('appends a gapless chain that verifies, with the owners snapshot of the agent', async () => {
    const owner = await getDb().user.create({
      data: { name: 'Ada Owner', email: 'ada@example.test', roles: ['OWNER'] },
    });
    const iam = await getDb().user.create({ data: { name: 'Ian Iam', email: 'ian@example.test' } });
    const agent = await getDb().agent.create({
      data: {
        slug: 'deploy-bot',
        name: 'Deploy bot',
        kind: 'CI_AGENT',
        riskTier: 'HIGH',
        ownerId: owner.id,
        controlAssignments: { create: { plane: 'IAM', userId: iam.id } },
      },
    });
    const appended = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'agent.created',
        actor: { type: 'USER', id: owner.id },
        agentId: agent.id,
        details: { slug: agent.slug, name: agent.name, riskTier: agent.riskTier },
      }),
    );
    expect(appended.seq).toBe(1n);
    await appendNotes(5);

    const events = await getDb().auditEvent.findMany({ orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.seq)).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
    expect(events[0]?.prevHash).toBe('0'.repeat(64));
    for (let i = 1; i < events.length; i++) expect(events[i]?.prevHash).toBe(events[i - 1]?.hash);
    expect(events[0]?.owners).toEqual({
      accountable: { id: owner.id, name: 'Ada Owner', active: true },
      IAM: { id: iam.id, name: 'Ian Iam', active: true },
      PAM: null,
      PLATFORM: null,
    });
    expect(events[1]?.owners).toBeNull();

    const result = await verifyAuditChain(getDb());
    expect(result).toMatchObject({ ok: true, verifiedThroughSeq: 6n, eventCount: 6, headHash: events[5]?.hash });
  });

  it('refuses UPDATE, DELETE and TRUNCATE on the audit table, even for its owner', async () => {
    await expect(asOwner(`UPDATE "AuditEvent" SET "action" = 'x' WHERE "seq" = 2`)).rejects.toThrow(
      /append-only; UPDATE is refused/,
    );
    await expect(asOwner(`DELETE FROM "AuditEvent" WHERE "seq" = 2`)).rejects.toThrow(/append-only; DELETE is refused/);
    await expect(asOwner(`TRUNCATE "AuditEvent"`)).rejects.toThrow(/append-only; TRUNCATE is refused/);
    await expect(asOwner(`UPDATE "AuditChainHead" SET "seq" = 0`)).rejects.toThrow(/only moves forward/);
    await expect(asOwner(`DELETE FROM "AuditChainHead"`)).rejects.toThrow(/only moves forward/);
    expect(await getDb().auditEvent.count()).toBe(6);
    expect((await verifyAuditChain(getDb())).ok).toBe(true);
  });

  it('a change whose transaction rolls back leaves no event and no gap', async () => {
    const before = await headSeq();
    await expect(
      getDb().$transaction(async (tx) => {
        await tx.user.create({ data: { name: 'Rolled Back', email: 'rb@example.test' } });
        await appendAuditEvent(tx, note('rolled back'));
        throw new Error('validation failed after the append');
      }),
    ).rejects.toThrow('validation failed');
    expect(await headSeq()).toBe(before);
    expect(await getDb().user.count({ where: { email: 'rb@example.test' } })).toBe(0);
    expect(await getDb().auditEvent.count({ where: { details: { equals: { note: 'rolled back' } } } })).toBe(0);

    const next = await getDb().$transaction((tx) => appendAuditEvent(tx, note('after rollback')));
    expect(next.seq).toBe(before + 1n);
    expect((await verifyAuditChain(getDb())).ok).toBe(true);
  });

  describe('verifyAuditChain names the first broken seq', () => {
    // Each case tampers, checks, then repairs with the original rows so the
    // next case starts from a valid chain.
    async function snapshot(seq: number) {
      return getDb().auditEvent.findUniqueOrThrow({ where: { seq: BigInt(seq) } });
    }

    it('after a changed event', async () => {
      await appendNotes(10, 'changed');
      const original = await snapshot(4);
      await tamper(`UPDATE "AuditEvent" SET "details" = '{"note":"forged"}' WHERE "seq" = 4`);
      expect(await verifyAuditChain(getDb())).toMatchObject({ ok: false, brokenSeq: 4n, verifiedThroughSeq: 3n });
      await tamper(`UPDATE "AuditEvent" SET "details" = '${JSON.stringify(original.details)}' WHERE "seq" = 4`);
      expect((await verifyAuditChain(getDb())).ok).toBe(true);
    });

    it('after a changed timestamp (millisecond precision is what the hash covers)', async () => {
      await tamper(`UPDATE "AuditEvent" SET "occurredAt" = "occurredAt" + interval '1 millisecond' WHERE "seq" = 7`);
      expect(await verifyAuditChain(getDb())).toMatchObject({ ok: false, brokenSeq: 7n });
      await tamper(`UPDATE "AuditEvent" SET "occurredAt" = "occurredAt" - interval '1 millisecond' WHERE "seq" = 7`);
      expect((await verifyAuditChain(getDb())).ok).toBe(true);
    });

    it('after a changed owners snapshot, though events before it carry the original (remembered)', async () => {
      const agent = await getDb().agent.findUniqueOrThrow({ where: { slug: 'deploy-bot' } });
      const appended = await getDb().$transaction((tx) =>
        appendAuditEvents(
          tx,
          ['first', 'second'].map((note) => ({
            action: 'system.note' as const,
            actor: SYSTEM_ACTOR,
            agentId: agent.id,
            details: { note },
          })),
        ),
      );
      const seq = appended[appended.length - 1]!.seq;
      const original = await snapshot(Number(seq));
      expect(original.owners).toEqual((await snapshot(1)).owners);
      // The attacker names someone else accountable on one event; the events before it keep the snapshot the walk
      // has already canonicalised.
      const mallory = `jsonb_set("owners", '{accountable,name}', '"Mallory"')`;
      await tamper(`UPDATE "AuditEvent" SET "owners" = ${mallory} WHERE "seq" = ${seq}`);
      expect(await verifyAuditChain(getDb())).toMatchObject({ ok: false, brokenSeq: seq, reason: /was altered/ });
      await tamper(`UPDATE "AuditEvent" SET "owners" = '${JSON.stringify(original.owners)}' WHERE "seq" = ${seq}`);
      expect((await verifyAuditChain(getDb())).ok).toBe(true);
    });

    it('after a number JavaScript would round is stored: in the owners snapshot, in a sealed field', async () => {
      const agent = await getDb().agent.findUniqueOrThrow({ where: { slug: 'deploy-bot' } });
      const [counted] = await getDb().$transaction((tx) =>
        appendAuditEvents(tx, [
          {
            action: 'audit.exported',
            actor: SYSTEM_ACTOR,
            agentId: agent.id,
            details: { format: 'csv', filter: {}, count: 1 },
          },
        ]),
      );
      const seq = counted!.seq;
      const original = await snapshot(Number(seq));
      const unowned = Object.entries(original.owners as Record<string, unknown>).find(([, v]) => v === null)?.[0];
      expect(unowned, 'a plane nobody holds').toBeDefined();
      // Each reads back (JSON.parse) as what was hashed — null, 1 — while the stored text says otherwise.
      for (const [column, changed] of [
        ['owners', `jsonb_set("owners", '{${unowned}}', '1e400')`],
        ['details', `jsonb_set("details", '{count}', '1.0000000000000000001')`],
        ['details', `jsonb_set("details", '{count}', '10000000000000000e-16')`],
      ] as const) {
        await tamper(`UPDATE "AuditEvent" SET "${column}" = ${changed} WHERE "seq" = ${seq}`);
        const result = await verifyAuditChain(getDb());
        if (changed.endsWith("e-16')")) expect(result.ok, 'the same number, written otherwise').toBe(true);
        else expect(result).toMatchObject({ ok: false, brokenSeq: seq, reason: /was altered/ });
        await tamper(
          `UPDATE "AuditEvent" SET "${column}" = '${JSON.stringify(original[column])}' WHERE "seq" = ${seq}`,
        );
      }
      expect((await verifyAuditChain(getDb())).ok).toBe(true);
    });

    it('after a deleted event', async () => {
      const original = await snapshot(9);
      await tamper(`DELETE FROM "AuditEvent" WHERE "seq" = 9`);
      expect(await verifyAuditChain(getDb())).toMatchObject({ ok: false, brokenSeq: 9n, verifiedThroughSeq: 8n });
      await getDb().auditEvent.create({
        data: {
          ...original,
          details: original.details ?? {},
          owners: original.owners ?? undefined,
          digests: original.digests ?? undefined,
          salts: original.salts ?? undefined,
        },
      });
      expect((await verifyAuditChain(getDb())).ok).toBe(true);
    });

    it('after two events are reordered', async () => {
      await tamper(`UPDATE "AuditEvent" SET "seq" = 9000005 WHERE "seq" = 5`);
      await tamper(`UPDATE "AuditEvent" SET "seq" = 5 WHERE "seq" = 6`);
      await tamper(`UPDATE "AuditEvent" SET "seq" = 6 WHERE "seq" = 9000005`);
      expect(await verifyAuditChain(getDb())).toMatchObject({ ok: false, brokenSeq: 5n });
      await tamper(`UPDATE "AuditEvent" SET "seq" = 9000006 WHERE "seq" = 6`);
      await tamper(`UPDATE "AuditEvent" SET "seq" = 6 WHERE "seq" = 5`);
      await tamper(`UPDATE "AuditEvent" SET "seq" = 5 WHERE "seq" = 9000006`);
      expect((await verifyAuditChain(getDb())).ok).toBe(true);
    });

    it('after the newest events are cut off', async () => {
      const last = await headSeq();
      await tamper(`DELETE FROM "AuditEvent" WHERE "seq" >= ${last - 1n}`);
      expect(await verifyAuditChain(getDb())).toMatchObject({ ok: false, brokenSeq: last - 1n });
    });
  });
});

describeWithPostgresServer('audit chain under concurrent writers', () => {
  it('8 parallel transactions × 50 events leave one unbroken, gapless chain', async () => {
    const db = getDb();
    // Fresh chain state is not needed: count what this test adds.
    const before = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    await Promise.all(
      Array.from({ length: 8 }, (_, writer) =>
        db.$transaction(
          async (tx) => {
            for (let i = 0; i < 50; i++) await appendAuditEvent(tx, note(`w${writer}-e${i}`));
          },
          { timeout: 60_000, maxWait: 60_000 },
        ),
      ),
    );
    const added = await db.auditEvent.findMany({
      where: { seq: { gt: before.seq } },
      orderBy: { seq: 'asc' },
      select: { seq: true, prevHash: true, hash: true, details: true },
    });
    expect(added).toHaveLength(400);
    added.forEach((e, i) => expect(e.seq).toBe(before.seq + BigInt(i + 1)));
    expect(added[0]?.prevHash).toBe(before.hash);
    for (let i = 1; i < added.length; i++) expect(added[i]?.prevHash).toBe(added[i - 1]?.hash);
    // Each writer's events are contiguous: the lock is held to commit.
    const writers = added.map((e) => (e.details as { note: string }).note.split('-')[0]);
    const runs = writers.filter((w, i) => i === 0 || w !== writers[i - 1]);
    expect(runs).toHaveLength(8);
  });
});
