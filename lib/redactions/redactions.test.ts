// Redaction that keeps the chain: a security lead asks, an auditor who is not the requester decides, the value
// becomes a tombstone and the chain still verifies. Each control is attacked by the person it governs, and by the
// application role calling the database function directly.
import { describe, expect, it } from 'vitest';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/audit';
import type { Json } from '@/lib/audit/canonical';
import { checkFields } from '@/lib/audit/fields';
import { trustedPublicKeys } from '@/lib/audit/signing';
import { verifyAuditChain } from '@/lib/audit/verify';
import { decideChangeRequest, openChangeRequest } from '@/lib/change-requests/commands';
import { getDb } from '@/lib/db';
import { Forbidden, Invalid } from '@/lib/errors';
import { assignControlOwner } from '@/lib/ownership/commands';
import { makeAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { grantRole, reactivateUser, removeRole } from '@/lib/users/commands';
import { requestRedaction } from './commands';
import { getRedactionView } from './queries';
import { scanStoredSecrets } from './scan';

const LEAK = 'pasted by mistake: hunter2-correct-horse';

/** An event by someone other than the people in the test, holding a value to redact. */
async function leakedEvent(note = LEAK): Promise<bigint> {
  const { seq } = await getDb().$transaction((tx) =>
    appendAuditEvent(tx, { action: 'system.note', actor: SYSTEM_ACTOR, details: { note } }),
  );
  return seq;
}

const pendingRedaction = () =>
  getDb().changeRequest.findFirstOrThrow({
    where: { kind: 'AUDIT_REDACTION', status: 'PENDING' },
    orderBy: { createdAt: 'desc' },
  });

async function request(seq: bigint, lead?: Awaited<ReturnType<typeof createPerson>>) {
  const requester = lead ?? (await createPerson(['ADMIN']));
  await requestRedaction(requester, { seq: seq.toString(), pointers: ['/note'], reason: 'A password leaked' });
  return { requester, request: await pendingRedaction() };
}

const decide = (actor: Parameters<typeof decideChangeRequest>[0], id: string, version = 1) =>
  decideChangeRequest(actor, { changeRequestId: id, version, outcome: 'APPROVE', reason: 'Confirmed leak' });

/** A pending change request of another kind (a looser setting), asked by `lead`. */
const otherKindRequest = (lead: Parameters<typeof openChangeRequest>[1]) =>
  getDb().$transaction((tx) =>
    openChangeRequest(tx, lead, {
      kind: 'SETTINGS_LOOSENING',
      settingKey: 'credentialRotationDays',
      from: 90,
      to: 120,
      reason: 'Longer rotation',
    }),
  );

const verify = () => verifyAuditChain(getDb(), { keys: trustedPublicKeys() });

describe('redaction end to end', () => {
  it('a lead asks, an auditor approves: the value is gone, the chain verifies, the redaction is recorded', async () => {
    const seq = await leakedEvent();
    const { request: cr } = await request(seq);
    const before = await getDb().auditEvent.findUniqueOrThrow({ where: { seq } });
    // Nothing changes until the auditor decides.
    expect(before.details).toEqual({ note: LEAK });

    const auditor = await createPerson(['AUDITOR']);
    expect(await decide(auditor, cr.id)).toMatch(/Approved/);

    const after = await getDb().auditEvent.findUniqueOrThrow({ where: { seq } });
    const redaction = await getDb().auditRedaction.findFirstOrThrow({ where: { seq } });
    expect(after.details).toEqual({ note: { $redacted: redaction.id } });
    expect(JSON.stringify([after.details, after.salts])).not.toContain('hunter2');
    // The hash, the digests and the link stay; the salt is destroyed so the value cannot be guessed back.
    expect(after.hash).toBe(before.hash);
    expect(after.digests).toEqual(before.digests);
    expect(after.salts).toEqual({});
    expect(checkFields(after.details as Json, after.digests as Json, after.salts as Json)).toEqual({
      ok: true,
      redacted: [{ pointer: '/note', redactionId: redaction.id }],
    });
    expect(redaction).toMatchObject({ pointer: '/note', changeRequestId: cr.id });
    const recorded = await getDb().auditEvent.findFirstOrThrow({ where: { action: 'audit.redacted' } });
    expect(recorded).toMatchObject({
      actorId: auditor.id,
      details: { redactionId: redaction.id, seq: seq.toString(), pointer: '/note', changeRequestId: cr.id },
    });
    expect(await verify()).toMatchObject({ ok: true, signed: true });

    const view = await getRedactionView(auditor, seq.toString());
    expect(view?.fields).toEqual([
      { pointer: '/note', value: null, redactionId: redaction.id, redactable: false, waiting: false },
    ]);
    expect(view?.event.sentence).not.toContain('hunter2');
  });

  it('a rejected request changes nothing but the request', async () => {
    const seq = await leakedEvent();
    const { request: cr } = await request(seq);
    const auditor = await createPerson(['AUDITOR']);
    await decideChangeRequest(auditor, { changeRequestId: cr.id, version: 1, outcome: 'REJECT', reason: 'Not one' });
    expect((await getDb().auditEvent.findUniqueOrThrow({ where: { seq } })).details).toEqual({ note: LEAK });
    expect(await getDb().auditRedaction.count({ where: { seq } })).toBe(0);
  });
});

describe('who may ask and who may decide, read when they act', () => {
  it('the requester cannot approve their own request, even holding the auditor role too', async () => {
    const seq = await leakedEvent();
    const both = await createPerson(['ADMIN', 'AUDITOR']);
    const { request: cr } = await request(seq, both);
    await expect(decide(both, cr.id)).rejects.toThrow(/You asked for this change/);
  });

  it('a security lead does not decide a redaction, and an auditor does not decide any other change', async () => {
    const seq = await leakedEvent();
    const { request: cr } = await request(seq);
    await expect(decide(await createPerson(['ADMIN']), cr.id)).rejects.toBeInstanceOf(Forbidden);
    const auditor = await createPerson(['AUDITOR']);
    const lead = await createPerson(['ADMIN']);
    const other = await otherKindRequest(lead);
    await expect(decide(auditor, other)).rejects.toBeInstanceOf(Forbidden);
  });

  it('only a security lead asks; an auditor, an owner or a PAM approver cannot', async () => {
    const seq = await leakedEvent();
    for (const role of ['AUDITOR', 'OWNER', 'PAM_APPROVER'] as const) {
      const person = await createPerson([role]);
      await expect(
        requestRedaction(person, { seq: seq.toString(), pointers: ['/note'], reason: 'A password leaked' }),
      ).rejects.toBeInstanceOf(Forbidden);
    }
  });

  it('nobody asks for or approves the redaction of their own event', async () => {
    const lead = await createPerson(['ADMIN']);
    const own = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, { action: 'system.note', actor: { type: 'USER', id: lead.id }, details: { note: LEAK } }),
    );
    await expect(
      requestRedaction(lead, { seq: own.seq.toString(), pointers: ['/note'], reason: 'Mine leaked' }),
    ).rejects.toThrow(/This event is by or about you/);

    const auditor = await createPerson(['AUDITOR']);
    const audited = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, { action: 'system.note', actor: { type: 'USER', id: auditor.id }, details: { note: LEAK } }),
    );
    const { request: cr } = await request(audited.seq);
    await expect(decide(auditor, cr.id)).rejects.toThrow(/is by or about you/);
    expect((await getDb().auditEvent.findUniqueOrThrow({ where: { seq: audited.seq } })).details).toEqual({
      note: LEAK,
    });
  });

  it('a requester who is no longer a security lead when the auditor decides: refused by the database', async () => {
    const seq = await leakedEvent();
    const { requester, request: cr } = await request(seq);
    const admin = await createPerson(['ADMIN']);
    const person = await getDb().user.findUniqueOrThrow({ where: { id: requester.id } });
    await removeRole(admin, { userId: requester.id, role: 'ADMIN', version: person.version });
    await expect(decide(await createPerson(['AUDITOR']), cr.id)).rejects.toThrow(
      /not asked by an active security lead/,
    );
    expect((await getDb().auditEvent.findUniqueOrThrow({ where: { seq } })).details).toEqual({ note: LEAK });
    // The whole decision rolled back: the request still waits.
    expect((await getDb().changeRequest.findUniqueOrThrow({ where: { id: cr.id } })).status).toBe('PENDING');
  });

  it('bad requests are refused with a reason and change nothing', async () => {
    const seq = await leakedEvent();
    const lead = await createPerson(['ADMIN']);
    const requests = () => getDb().changeRequest.count({ where: { kind: 'AUDIT_REDACTION' } });
    const before = await requests();
    const ask = (input: Record<string, unknown>) =>
      requestRedaction(lead, { seq: seq.toString(), pointers: ['/note'], reason: 'A password leaked', ...input });
    await expect(ask({ pointers: ['/nope'] })).rejects.toThrow(/has no field \/nope/);
    await expect(ask({ pointers: [] })).rejects.toBeInstanceOf(Invalid);
    await expect(ask({ pointers: ['note'] })).rejects.toBeInstanceOf(Invalid);
    await expect(ask({ seq: '0' })).rejects.toBeInstanceOf(Invalid);
    await expect(ask({ seq: '99999999999' })).rejects.toThrow(/no event #99999999999/);
    await expect(ask({ reason: '' })).rejects.toBeInstanceOf(Invalid);
    expect(await requests()).toBe(before);
    await ask({});
    await expect(ask({})).rejects.toThrow(/already waits/);
  });
});

describe('the database function, called by the application role directly', () => {
  const call = (id: string) => getDb().$queryRaw`SELECT * FROM custodian_redact(${id})`;

  it('refuses a request pending, forged as applied, approved by the requester or used twice', async () => {
    const seq = await leakedEvent();
    const { requester, request: cr } = await request(seq);
    await expect(call(cr.id)).rejects.toThrow(/not approved by a second person/);
    await expect(call('no-such-request')).rejects.toThrow(/not a redaction request/);

    // Forged as approved by an auditor, straight in the table: the approval is not on the timeline.
    const auditor = await createPerson(['AUDITOR']);
    await getDb().changeRequest.update({
      where: { id: cr.id },
      data: { status: 'APPLIED', decidedById: auditor.id },
    });
    await expect(call(cr.id)).rejects.toThrow(/not on the timeline/);
    // A decided request is a record: its decider, its kind and what it asks for never change.
    await expect(
      getDb().changeRequest.update({ where: { id: cr.id }, data: { decidedById: requester.id } }),
    ).rejects.toThrow(/never change/);
    expect((await getDb().auditEvent.findUniqueOrThrow({ where: { seq } })).details).toEqual({ note: LEAK });

    // Another kind of request, applied by two leads, turned into a redaction of any field: the row refuses.
    const lead = await createPerson(['ADMIN']);
    const other = await otherKindRequest(lead);
    await decideChangeRequest(await createPerson(['ADMIN']), {
      changeRequestId: other,
      version: 1,
      outcome: 'APPROVE',
      reason: 'Agreed',
    });
    await expect(
      getDb().changeRequest.update({
        where: { id: other },
        data: { kind: 'AUDIT_REDACTION', to: { fields: [{ seq: seq.toString(), pointer: '/note' }] } },
      }),
    ).rejects.toThrow(/never change/);
    await expect(call(other)).rejects.toThrow(/not a redaction request/);

    // Applied properly once: the same approval cannot redact again.
    const second = await leakedEvent();
    const { request: ok } = await request(second);
    await decide(await createPerson(['AUDITOR']), ok.id);
    await expect(call(ok.id)).rejects.toThrow(/already applied/);
  });

  it('cannot write a redaction or change an event itself', async () => {
    const seq = await leakedEvent();
    await expect(
      getDb().$executeRaw`INSERT INTO "AuditRedaction" ("id", "seq", "pointer", "changeRequestId")
        VALUES ('forged', ${seq}, '/note', 'none')`,
    ).rejects.toThrow(/permission denied/);
    await expect(
      getDb().$executeRaw`UPDATE "AuditEvent" SET "details" = '{"note":{"$redacted":"forged"}}' WHERE "seq" = ${seq}`,
    ).rejects.toThrow(/permission denied/);
    // Not even through the flag the function sets: the role has no UPDATE at all.
    await expect(
      getDb().$transaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('custodian.redacting', 'on', true)`;
        await tx.$executeRaw`UPDATE "AuditEvent" SET "salts" = '{}' WHERE "seq" = ${seq}`;
      }),
    ).rejects.toThrow(/permission denied/);
  });

  it('even the owner, with the flag set, can change nothing the hash covers', async () => {
    const seq = await leakedEvent();
    await expect(
      asOwner(
        `SELECT set_config('custodian.redacting', 'on', true)`,
        `UPDATE "AuditEvent" SET "action" = 'system.other' WHERE "seq" = ${seq}`,
      ),
    ).rejects.toThrow(/append-only/);
  });
});

describe('the people around a redaction', () => {
  it('an auditor made one by the requester does not approve their request', async () => {
    const seq = await leakedEvent();
    const lead = await createPerson(['ADMIN']);
    const friend = await createPerson([]);
    await grantRole(lead, { userId: friend.id, role: 'AUDITOR', version: friend.version });
    const { request: cr } = await request(seq, lead);
    await expect(decide({ ...friend, roles: ['AUDITOR'] }, cr.id)).rejects.toThrow(/made one by its requester/);
    expect((await getDb().auditEvent.findUniqueOrThrow({ where: { seq } })).details).toEqual({ note: LEAK });
  });

  it('an event about the requester, or an agent they own or owned then, is not theirs to ask about', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeAgent(lead, { ownerId: lead.id });
    const noteOn = (agentId: string) =>
      getDb().$transaction((tx) =>
        appendAuditEvent(tx, { action: 'system.note', actor: SYSTEM_ACTOR, agentId, details: { note: LEAK } }),
      );
    const onAgent = await noteOn(agent.id);
    const ask = (who: typeof lead, seq: bigint) =>
      requestRedaction(who, { seq: seq.toString(), pointers: ['/note'], reason: 'A password leaked' });
    // The owners snapshot names the lead: it is about them.
    await expect(ask(lead, onAgent.seq)).rejects.toThrow(/by or about you/);
    await expect(ask(await createPerson(['ADMIN']), onAgent.seq)).resolves.toMatch(/an auditor decides/);

    // Handed to someone else, the agent's past still names the lead as its owner then.
    const admin = await createPerson(['ADMIN']);
    await getDb().agent.update({ where: { id: agent.id }, data: { ownerId: admin.id } });
    await expect(ask(lead, (await noteOn(agent.id)).seq)).resolves.toMatch(/an auditor decides/);
    await expect(ask(lead, onAgent.seq)).rejects.toThrow(/by or about you/);

    const other = await createPerson(['ADMIN']);
    const about = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'system.note',
        actor: SYSTEM_ACTOR,
        details: { note: LEAK, nested: { person: other.id } } as never,
      }),
    );
    await expect(ask(other, about.seq)).rejects.toThrow(/by or about you/);
  });

  it('an auditor account the requester reactivated does not approve their request', async () => {
    const seq = await leakedEvent();
    const lead = await createPerson(['ADMIN']);
    const dormant = await createPerson(['AUDITOR'], { active: false });
    await reactivateUser(lead, { userId: dormant.id, version: dormant.version });
    const { request: cr } = await request(seq, lead);
    await expect(decide({ ...dormant, roles: ['AUDITOR'] }, cr.id)).rejects.toThrow(/made one by its requester/);
  });

  it('what records a decision is never redacted: ids, kinds, roles, a redaction’s own record', async () => {
    const seq = await leakedEvent();
    const { request: cr } = await request(seq);
    await decide(await createPerson(['AUDITOR']), cr.id);
    const recorded = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'audit.redacted', details: { path: ['changeRequestId'], equals: cr.id } },
    });
    const lead = await createPerson(['ADMIN']);
    const ask = (s: bigint, pointer: string) =>
      requestRedaction(lead, { seq: s.toString(), pointers: [pointer], reason: 'Try it' });
    await expect(ask(recorded.seq, '/pointer')).rejects.toThrow(/records a decision/);
    const requested = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'change.requested', details: { path: ['changeRequestId'], equals: cr.id } },
    });
    await expect(ask(requested.seq, '/reason')).rejects.toThrow(/records a decision/);
    const granted = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'role.granted',
        actor: SYSTEM_ACTOR,
        details: { userId: 'someone', role: 'AUDITOR' },
      }),
    );
    await expect(ask(granted.seq, '/role')).rejects.toThrow(/records a decision/);
    const agentEvent = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'system.note',
        actor: SYSTEM_ACTOR,
        details: { note: 'x', exceptionId: 'exc_1' } as never,
      }),
    );
    await expect(ask(agentEvent.seq, '/exceptionId')).rejects.toThrow(/only free text/);
    const edited = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'agent.updated',
        actor: SYSTEM_ACTOR,
        details: { changes: { riskTier: { from: 'HIGH', to: 'LOW' }, description: { from: 'a', to: LEAK } } },
      }),
    );
    await expect(ask(edited.seq, '/changes/riskTier/to')).rejects.toThrow(/only free text/);
    await expect(ask(edited.seq, '/changes/description/to')).resolves.toMatch(/an auditor decides/);
  });
});

describe('inputs of the rule changed through another path', () => {
  it('a requester who takes a control plane of the event’s agent after asking: the approval is refused', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id });
    const { seq } = await getDb().$transaction((tx) =>
      appendAuditEvent(tx, { action: 'system.note', actor: SYSTEM_ACTOR, agentId: agent.id, details: { note: LEAK } }),
    );
    const { requester, request: cr } = await request(seq);
    await assignControlOwner(admin, {
      agentId: agent.id,
      version: (await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).version,
      plane: 'IAM',
      userId: requester.id,
    });
    await expect(decide(await createPerson(['AUDITOR']), cr.id)).rejects.toThrow(/one of their agents/);
    expect((await getDb().auditEvent.findUniqueOrThrow({ where: { seq } })).details).toEqual({ note: LEAK });
  });

  it('the application role cannot write a request already decided, nor delete one', async () => {
    const lead = await createPerson(['ADMIN']);
    const auditor = await createPerson(['AUDITOR']);
    await expect(
      getDb().changeRequest.create({
        data: {
          kind: 'AUDIT_REDACTION',
          status: 'APPLIED',
          from: {},
          to: { fields: [{ seq: '1', pointer: '/note' }] },
          reason: 'Forged',
          requestedById: lead.id,
          decidedById: auditor.id,
          decidedAt: new Date(),
        },
      }),
    ).rejects.toThrow(/made waiting and never deleted/);
    const { request: cr } = await request(await leakedEvent(), lead);
    await expect(getDb().changeRequest.delete({ where: { id: cr.id } })).rejects.toThrow(/never deleted/);
  });
});

describe('verification tells a redaction from a value removed around Custodian', () => {
  /** Tampers as the owner with the triggers off, verifies, then puts the event back as it was. */
  async function tampered(seq: bigint, set: string) {
    const original = await getDb().auditEvent.findUniqueOrThrow({ where: { seq } });
    const off = (sql: string) => [
      `ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`,
      sql,
      `ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`,
    ];
    await asOwner(...off(`UPDATE "AuditEvent" SET ${set} WHERE "seq" = ${seq}`));
    const result = await verify();
    await asOwner(
      ...off(
        `UPDATE "AuditEvent" SET "details" = '${JSON.stringify(original.details)}',
          "salts" = '${JSON.stringify(original.salts)}' WHERE "seq" = ${seq}`,
      ),
    );
    expect((await verify()).ok).toBe(true);
    return result;
  }

  it('a tombstone no audit.redacted event records is named at its seq', async () => {
    const seq = await leakedEvent();
    await leakedEvent('after');
    const result = await tampered(seq, `"details" = '{"note":{"$redacted":"red_forged"}}', "salts" = '{}'`);
    expect(result).toMatchObject({ ok: false, brokenSeq: seq });
    expect(result.ok ? '' : result.reason).toMatch(/no audit.redacted event records that redaction/);
  });

  it('a value changed under its digest, or a salt changed, is named at its seq', async () => {
    const seq = await leakedEvent();
    await leakedEvent('after');
    for (const set of [`"details" = '{"note":"harmless"}'`, `"salts" = '{"/note":"AAAAAAAAAAAAAAAAAAAAAA"}'`]) {
      const result = await tampered(seq, set);
      expect(result).toMatchObject({ ok: false, brokenSeq: seq });
      expect(result.ok ? '' : result.reason).toMatch(/field \/note was altered/);
    }
  });

  it('a redacted value put back (from an old export, say) is named', async () => {
    const seq = await leakedEvent();
    const original = await getDb().auditEvent.findUniqueOrThrow({ where: { seq } });
    const { request: cr } = await request(seq);
    await decide(await createPerson(['AUDITOR']), cr.id);
    const result = await tampered(
      seq,
      `"details" = '${JSON.stringify(original.details)}', "salts" = '${JSON.stringify(original.salts)}'`,
    );
    expect(result).toMatchObject({ ok: false, brokenSeq: seq });
    expect(result.ok ? '' : result.reason).toMatch(/no longer shows that redaction: its value was put back/);
  });

  it('a field added or removed under the digests is named at its seq', async () => {
    const seq = await leakedEvent();
    for (const [set, reason] of [
      [`"details" = '{"note":"${LEAK}","extra":"x"}'`, /field \/extra was added/],
      [`"details" = '{}'`, /field \/ was added|was removed/],
    ] as const) {
      const result = await tampered(seq, set);
      expect(result).toMatchObject({ ok: false, brokenSeq: seq });
      expect(result.ok ? '' : result.reason).toMatch(reason);
    }
  });
});

describe('audit:scan-secrets', () => {
  it('finds a stored value the guard would refuse, by event and field (not its value); then redacted', async () => {
    const token = `ghp_${'Zx8kQ2mN5vR7tY1wL3pH9sD4fG6jK0aBcE2u'.slice(0, 36)}`;
    const seq = await getDb().$transaction(async (tx) => {
      const { seq } = await appendAuditEvent(tx, {
        action: 'system.note',
        actor: SYSTEM_ACTOR,
        details: { note: `deploy used ${token}` },
      });
      return seq;
    });
    const found = (await scanStoredSecrets(getDb())).filter((f) => f.seq === seq.toString());
    expect(found).toEqual([
      { seq: seq.toString(), action: 'system.note', pointer: '/note', ruleId: expect.any(String), redactable: true },
    ]);
    expect(JSON.stringify(found)).not.toContain(token);

    const { request: cr } = await request(seq);
    await decide(await createPerson(['AUDITOR']), cr.id);
    expect((await scanStoredSecrets(getDb())).filter((f) => f.seq === seq.toString())).toEqual([]);
    expect(await verify()).toMatchObject({ ok: true });
  });
});
