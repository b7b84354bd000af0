// Incremental verification: the scheduled run walks only the events after a signed checkpoint an earlier vouched run
// verified, plus a rotating sample of older ones; it never steps over a change a full walk would find.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { decideChangeRequest } from '@/lib/change-requests/commands';
import { getDb } from '@/lib/db';
import { requestRedaction } from '@/lib/redactions/commands';
import { asOwner } from '@/lib/testing/owner';
import { appendNotes } from '@/lib/testing/partitions';
import { createPerson } from '@/lib/testing/people';
import { appendAuditEvents, SYSTEM_ACTOR } from './append';
import { hashEvent } from './canonical';
import { sealDetails } from './fields';
import { runVerification, signCheckpoint, vouched } from './integrity';
import { trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';

const append = appendNotes;
const head = async () => (await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
const incremental = () => runVerification(getDb(), null, 'incremental');

const TRIGGERS_OFF = ['AuditEvent', 'AuditChainHead'].map((t) => `ALTER TABLE "${t}" DISABLE TRIGGER USER`);
const TRIGGERS_ON = ['AuditEvent', 'AuditChainHead'].map((t) => `ALTER TABLE "${t}" ENABLE TRIGGER USER`);
const json = (v: unknown) => `'${JSON.stringify(v).replace(/'/g, "''")}'`;

/**
 * Tampers as a database-level attacker would (triggers off), runs `check`, then puts every event from `fromSeq` on
 * and the head back as they were, so the next case starts from a chain that verifies.
 */
async function tampered(fromSeq: bigint, statements: string[], check: () => Promise<void>) {
  const rows = await getDb().auditEvent.findMany({ where: { seq: { gte: fromSeq } } });
  const before = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  await asOwner(...TRIGGERS_OFF, ...statements, ...TRIGGERS_ON);
  try {
    await check();
  } finally {
    await asOwner(
      ...TRIGGERS_OFF,
      ...rows.map(
        (r) =>
          `UPDATE "AuditEvent" SET "details" = ${json(r.details)}, "digests" = ${json(r.digests)},
           "salts" = ${json(r.salts)}, "prevHash" = '${r.prevHash}', "hash" = '${r.hash}' WHERE "seq" = ${r.seq}`,
      ),
      `UPDATE "AuditChainHead" SET "seq" = ${before.seq}, "hash" = '${before.hash}' WHERE "id" = 1`,
      ...TRIGGERS_ON,
    );
  }
}

/** A value changed in place (its hash left stale). */
const alter = (seq: bigint, note: string) =>
  `UPDATE "AuditEvent" SET "details" = jsonb_set("details", '{note}', '"${note}"') WHERE "seq" = ${seq}`;

/** Events from `from` on rewritten with fresh salts and recomputed hashes, the head moved to match. */
async function rewrite(from: bigint): Promise<string[]> {
  const events = await getDb().auditEvent.findMany({ where: { seq: { gte: from } }, orderBy: { seq: 'asc' } });
  let prev = events[0]!.prevHash;
  const statements = events.map((e, i) => {
    const details = i === 0 ? { note: 'rewritten' } : e.details;
    const sealed = i === 0 ? sealDetails({ note: 'rewritten' }) : { digests: e.digests, salts: e.salts };
    const row = { ...e, details, ...sealed, prevHash: prev };
    const hash = hashEvent(prev, row);
    prev = hash;
    return `UPDATE "AuditEvent" SET "details" = ${json(row.details)}, "digests" = ${json(row.digests)},
      "salts" = ${json(row.salts)}, "prevHash" = '${row.prevHash}', "hash" = '${hash}' WHERE "seq" = ${e.seq}`;
  });
  return [...statements, `UPDATE "AuditChainHead" SET "hash" = '${prev}' WHERE "id" = 1`];
}

describe('incremental verification', () => {
  beforeEach(async () => {
    // Each case starts from a chain that verifies, fully, with a checkpoint at its head.
    await append(3);
    await signCheckpoint();
    const full = await runVerification(getDb(), null);
    expect(full).toMatchObject({ ok: true, mode: 'full', fromSeq: 1n });
  });

  it('walks the events after the last verified checkpoint, and a sample of the older ones', async () => {
    const checkpointSeq = await head();
    await append(5);
    const run = await incremental();
    expect(run).toMatchObject({
      ok: true,
      mode: 'incremental',
      fromSeq: checkpointSeq + 1n,
      throughSeq: await head(),
      sampleFromSeq: 1n,
      sampleToSeq: checkpointSeq,
      statementVersion: 2,
    });
    // 5 new events, and every older one in the sample (fewer than a sample's minimum).
    expect(run.eventCount).toBe(5 + Number(checkpointSeq));
    expect(vouched(run)).toBe(true);
    // Its scope is signed: a row that claims another scope no longer holds.
    expect(vouched({ ...run, fromSeq: 1n, mode: 'full' })).toBe(false);
  });

  it('finds a change after the checkpoint', async () => {
    await append(4);
    const target = (await head()) - 1n;
    await tampered(target, [alter(target, 'changed')], async () => {
      expect(await incremental()).toMatchObject({ ok: false, mode: 'incremental', brokenSeq: target });
    });
  });

  it('finds a change before the checkpoint in its sample, and the next run walks everything again', async () => {
    const old = (await head()) - 2n;
    await append(2);
    await tampered(old, [alter(old, 'changed long ago')], async () => {
      expect(await incremental()).toMatchObject({
        ok: false,
        mode: 'incremental',
        brokenSeq: old,
        throughSeq: old - 1n,
      });
      // After a failure there is no anchor: everything is walked.
      expect(await incremental()).toMatchObject({ ok: false, mode: 'full', fromSeq: 1n, brokenSeq: old });
    });
  });

  it('a chain rewritten below the checkpoint (hashes recomputed) trips the anchor: everything is walked', async () => {
    const checkpointSeq = await head();
    const victim = checkpointSeq - 1n;
    // Every hash from the victim on recomputed: the checkpoint's hash no longer matches the event at its seq.
    await tampered(victim, await rewrite(victim), async () => {
      const run = await incremental();
      expect(run).toMatchObject({ ok: false, mode: 'full', fromSeq: 1n });
      expect(run.brokenSeq).toBeLessThanOrEqual(checkpointSeq);
    });
  });

  it('a verification row written around Custodian does not move the anchor', async () => {
    await append(3);
    const target = (await head()) - 1n;
    await asOwner(
      `INSERT INTO "AuditVerification" ("id", "ok", "throughSeq", "headHash", "eventCount", "durationMs", "mode")
       VALUES ('forged', true, ${await head()}, '${'a'.repeat(64)}', 1, 1, 'full')`,
    );
    await signCheckpoint();
    await tampered(target, [alter(target, 'changed')], async () => {
      expect(await incremental()).toMatchObject({ ok: false, brokenSeq: target });
    });
  });

  it('a redaction requested before the checkpoint passes an incremental run, as it does a full one', async () => {
    const lead = await createPerson(['ADMIN']);
    const auditor = await createPerson(['AUDITOR']);
    await append(1, 'pasted a password');
    const leaked = await head();
    await requestRedaction(lead, { seq: leaked.toString(), pointers: ['/note'], reason: 'A password leaked' });
    await signCheckpoint();
    expect(await runVerification(getDb(), null)).toMatchObject({ ok: true, mode: 'full' });
    // The request is before the checkpoint; the approval, the tombstone's record and the tombstone's event after it
    // (the leaked event itself before).
    const request = await getDb().changeRequest.findFirstOrThrow({ where: { kind: 'AUDIT_REDACTION' } });
    await decideChangeRequest(auditor, {
      changeRequestId: request.id,
      version: 1,
      outcome: 'APPROVE',
      reason: 'Confirmed leak',
    });
    await append(2);
    expect(await incremental()).toMatchObject({ ok: true, mode: 'incremental' });
    expect(await verifyAuditChain(getDb(), { keys: trustedPublicKeys() })).toMatchObject({ ok: true });
    // Put the value back outside Custodian: the incremental run reads the event the record names, and fails.
    const original = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: leaked } });
    const put = `UPDATE "AuditEvent" SET "details" = '{"note": "pasted a password 0"}' WHERE "seq" = ${leaked}`;
    await tampered(leaked, [put], async () => {
      const run = await incremental();
      expect(run).toMatchObject({ ok: false, mode: 'incremental' });
      expect(run.reason).toMatch(/no longer shows that redaction|was altered/);
    });
    expect((await getDb().auditEvent.findUniqueOrThrow({ where: { seq: leaked } })).details).toEqual(original.details);
  });

  it('samples the day’s slice of older events: deleting earlier runs does not send it back to the start', async () => {
    // More older events than a sample's minimum (10,000): two slices, read on alternate days.
    for (let i = 0; i < 11; i++) {
      await getDb().$transaction((tx) =>
        appendAuditEvents(
          tx,
          Array.from({ length: 1_000 }, (_, j) => ({
            action: 'system.note' as const,
            actor: SYSTEM_ACTOR,
            details: { note: `bulk ${i}.${j}` },
          })),
        ),
      );
    }
    await signCheckpoint();
    expect((await runVerification(getDb(), null)).ok).toBe(true);
    const anchor = await head();
    const slices = (anchor + 9_999n) / 10_000n;
    expect(slices).toBe(2n);
    const day = (n: number) => vi.setSystemTime(new Date(n * 86_400_000 + 3_600_000));
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      day(20_000);
      expect(await incremental()).toMatchObject({ ok: true, sampleFromSeq: 1n, sampleToSeq: 10_000n });
      day(20_001);
      expect(await incremental()).toMatchObject({ ok: true, sampleFromSeq: 10_001n, sampleToSeq: anchor });
      // The owner deletes the incremental runs: the day still decides which slice is read.
      await asOwner(`DELETE FROM "AuditVerification" WHERE "mode" = 'incremental'`);
      expect(await incremental()).toMatchObject({ ok: true, sampleFromSeq: 10_001n, sampleToSeq: anchor });
    } finally {
      vi.useRealTimers();
    }
  });
});
