// Delegation grants changed in the database, against the events that made them: who may act for whom, for what and
// until when is what the issuance gate reads for a chained decision, and a superuser's UPDATE must not widen it
// without the registry check naming it.
import { describe, expect, it } from 'vitest';
import { decideChangeRequest } from '@/lib/change-requests/commands';
import { getDb } from '@/lib/db';
import { approveDelegation, expireDueDelegations, revokeDelegation } from '@/lib/delegation/commands';
import { requestRedaction } from '@/lib/redactions/commands';
import { makeActiveAgent } from '@/lib/testing/agents';
import { delegationParties, requestGrant } from '@/lib/testing/delegation';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { registryDrift } from './drift';

const DAY = 86_400_000;

describe('delegation grants against their record', () => {
  it('a grant approved, revived, widened, re-pointed or inserted by hand shows; one used properly not', async () => {
    const parties = await delegationParties();
    const { lead, asker, principalOwner, delegate } = parties;
    const otherDelegate = await makeActiveAgent(lead, { ownerId: asker.id });
    const otherPrincipal = await makeActiveAgent(lead, { ownerId: principalOwner.id });
    /** `delegate` asks to act for a new agent of its own; its owner approves unless told not to. */
    const grant = async ({ approve = true, days = 7 } = {}) =>
      (await requestGrant(parties, { approve, days, tasks: 'deploy, github:read' })).grantId;
    const revoke = (grantId: string) => revokeDelegation(principalOwner, { grantId, reason: 'No longer needed' });
    const ids = {
      approved: await grant({ approve: false }),
      markedApproved: await grant({ approve: false }),
      days: await grant({ approve: false }),
      asker: await grant({ approve: false }),
      revived: await grant(),
      unexpired: await grant({ days: 1 }),
      widened: await grant(),
      everywhere: await grant(),
      longer: await grant(),
      moved: await grant(),
      swapped: await grant(),
      approver: await grant(),
      honest: await grant(),
      honestPending: await grant({ approve: false }),
      justified: await grant({ approve: false }),
      redacted: await grant({ approve: false }),
      inserted: 'grant-by-hand',
      insertedRevoked: 'grant-by-hand-revoked',
      insertedApproved: 'grant-by-hand-approved',
      insertedEnded: 'grant-by-hand-ended',
    };
    await revoke(ids.revived);
    await revoke(ids.honest);
    expect(await expireDueDelegations(new Date(Date.now() + 2 * DAY))).toBe(1);
    // A request's justification redacted from the record (a password pasted in it) is not on record to compare.
    const [requested] = await getDb().$queryRaw<{ seq: bigint }[]>`
      SELECT "seq" FROM "AuditEvent"
      WHERE "action" = 'delegation.requested' AND "details" ->> 'grantId' = ${ids.redacted}`;
    const independent = await createPerson(['ADMIN']);
    await requestRedaction(independent, {
      seq: String(requested!.seq),
      pointers: ['/justification'],
      reason: 'A key leaked',
    });
    const redaction = await getDb().changeRequest.findFirstOrThrow({ where: { kind: 'AUDIT_REDACTION' } });
    const auditor = await createPerson(['AUDITOR']);
    await decideChangeRequest(auditor, {
      changeRequestId: redaction.id,
      version: 1,
      outcome: 'APPROVE',
      reason: 'Yes',
    });
    const problems = async () =>
      Object.fromEntries(
        (await registryDrift(getDb()))
          .filter((d) => (Object.values(ids) as string[]).includes(d.id))
          .map((d) => [d.id, d.problem] as const),
      );
    expect(await problems()).toEqual({});

    // Whoever holds the database widens what the gate allows a delegate, or hides who answers for it.
    const insert = (id: string, status = 'APPROVED') =>
      `INSERT INTO "DelegationGrant" ("id", "delegateId", "principalId", "tasks", "environments", "justification",
         "days", "status", "requestedById", "approvedById", "approvedAt", "expiresAt", "updatedAt")
       VALUES ('${id}', '${delegate.id}', '${otherPrincipal.id}', ARRAY['deploy'], ARRAY['PROD']::"Environment"[],
         'by hand', 30, '${status}', '${asker.id}',
         ${status === 'PENDING' ? `NULL, NULL, NULL` : `'${principalOwner.id}', now(), now() + interval '30 days'`},
         now())`;
    await asOwner(
      `UPDATE "DelegationGrant" SET "status" = 'APPROVED', "approvedById" = '${principalOwner.id}',
         "approvedAt" = now(), "expiresAt" = now() + interval '7 days' WHERE "id" = '${ids.approved}'`,
      // The gate reads a grant once its approval's time is set.
      `UPDATE "DelegationGrant" SET "approvedAt" = now() WHERE "id" = '${ids.markedApproved}'`,
      `UPDATE "DelegationGrant" SET "days" = 366 WHERE "id" = '${ids.days}'`,
      // The principal's owner asking, so they may not approve, or a lead may: separation of duties rewritten.
      `UPDATE "DelegationGrant" SET "requestedById" = '${lead.id}' WHERE "id" = '${ids.asker}'`,
      `UPDATE "DelegationGrant" SET "status" = 'APPROVED', "endedAt" = NULL WHERE "id" = '${ids.revived}'`,
      `UPDATE "DelegationGrant" SET "status" = 'APPROVED', "expiresAt" = now() + interval '1 year', "endedAt" = NULL
       WHERE "id" = '${ids.unexpired}'`,
      `UPDATE "DelegationGrant" SET "tasks" = ARRAY['deploy', 'github:read', 'prod-db'] WHERE "id" = '${ids.widened}'`,
      `UPDATE "DelegationGrant" SET "environments" = ARRAY['DEV', 'PROD']::"Environment"[]
       WHERE "id" = '${ids.everywhere}'`,
      `UPDATE "DelegationGrant" SET "expiresAt" = "expiresAt" + interval '1 year' WHERE "id" = '${ids.longer}'`,
      `UPDATE "DelegationGrant" SET "principalId" = '${otherPrincipal.id}' WHERE "id" = '${ids.moved}'`,
      `UPDATE "DelegationGrant" SET "delegateId" = '${otherDelegate.id}' WHERE "id" = '${ids.swapped}'`,
      `UPDATE "DelegationGrant" SET "approvedById" = '${lead.id}' WHERE "id" = '${ids.approver}'`,
      `UPDATE "DelegationGrant" SET "justification" = 'Approved by the board' WHERE "id" = '${ids.justified}'`,
      insert(ids.inserted),
      insert(ids.insertedRevoked),
      // A harmless-looking request put in the approver's queue by hand.
      insert(ids.insertedApproved, 'PENDING'),
      // Ended: it allows nothing, whatever made it.
      insert(ids.insertedEnded, 'EXPIRED'),
    );
    // One inserted by hand and then revoked through Custodian allows nothing: its end is on record.
    await revoke(ids.insertedRevoked);
    // One approved through Custodian and widened after: what was approved was never asked for on record.
    await approveDelegation(principalOwner, { grantId: ids.insertedApproved, reason: 'Looked harmless' });
    await asOwner(
      `UPDATE "DelegationGrant" SET "tasks" = ARRAY['*'], "expiresAt" = '2099-01-01'
       WHERE "id" = '${ids.insertedApproved}'`,
    );
    expect(await problems()).toEqual({
      [ids.approved]: 'it is APPROVED; its events leave it PENDING',
      [ids.markedApproved]: 'no event approves it',
      [ids.days]: 'it differs from its record in its days',
      [ids.asker]: 'someone other than who asked for it is recorded as asking',
      [ids.revived]: 'it is APPROVED; its events leave it REVOKED',
      [ids.unexpired]: 'it is APPROVED; its events leave it EXPIRED',
      [ids.widened]: 'it differs from its record in its tasks',
      [ids.everywhere]: 'it differs from its record in its environments',
      [ids.longer]: 'it differs from its record in its end',
      [ids.moved]: 'it lets its delegate act for another agent',
      [ids.swapped]: 'another agent than asked may act through it',
      [ids.approver]: 'someone other than its approver is recorded as approving it',
      [ids.justified]: 'it differs from its record in its justification',
      [ids.inserted]: 'no event records it (every release records a delegation’s request)',
      [ids.insertedApproved]: 'no event records its request (every release records one)',
    });
    const rows = (await registryDrift(getDb())).filter((d) => d.kind === 'delegation');
    expect(rows.every((d) => !d.unrecorded)).toBe(true);
    expect(rows.find((d) => d.id === ids.moved)?.subject).toBe(`${delegate.slug} acting for ${otherPrincipal.slug}`);
  });

  it('what the check passes over cannot be used: an ended grant put back in force, a forged redaction', async () => {
    const parties = await delegationParties();
    const { lead, asker, principalOwner, delegate } = parties;
    const principal = await makeActiveAgent(lead, { ownerId: principalOwner.id });
    const ended = 'grant-ended-by-hand';
    // Inserted ended, it allows nothing and is not named; put in force later, it is.
    await asOwner(
      `INSERT INTO "DelegationGrant" ("id", "delegateId", "principalId", "tasks", "environments", "justification",
         "days", "status", "requestedById", "approvedById", "approvedAt", "expiresAt", "endedAt", "updatedAt")
       VALUES ('${ended}', '${delegate.id}', '${principal.id}', ARRAY['deploy'], ARRAY['PROD']::"Environment"[],
         'by hand', 30, 'EXPIRED', '${asker.id}', '${principalOwner.id}', now() - interval '40 days',
         now() - interval '10 days', now() - interval '10 days', now())`,
    );
    const problems = async (id: string) =>
      (await registryDrift(getDb())).filter((d) => d.id === id).map((d) => d.problem);
    expect(await problems(ended)).toEqual([]);
    await asOwner(
      `UPDATE "DelegationGrant" SET "status" = 'APPROVED', "expiresAt" = now() + interval '1 year', "endedAt" = NULL
       WHERE "id" = '${ended}'`,
    );
    expect(await problems(ended)).toEqual(['no event records it (every release records a delegation’s request)']);

    // A redacted justification is not compared: a tombstone written by hand, its salt removed as a redaction removes
    // it, is not believed (no redaction record names it), so the request it sits in is not replayed, and the
    // justification rewritten beside it does not pass unseen.
    const { grantId } = await requestGrant(parties, { approve: false, justification: 'Deploys to DEV only' });
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "details" = jsonb_set("details", '{justification}', '{"$redacted": "forged"}'),
         "salts" = "salts" - '/justification'
       WHERE "action" = 'delegation.requested' AND "details" ->> 'grantId' = '${grantId}'`,
      `UPDATE "DelegationGrant" SET "justification" = 'Approved by the board' WHERE "id" = '${grantId}'`,
    );
    expect(await problems(grantId)).toEqual(['no event records it (every release records a delegation’s request)']);
    expect((await registryDrift(getDb())).map((d) => d.problem)).toContainEqual(
      expect.stringMatching(/^it was altered: field \/justification is redacted, and no redaction made it/),
    );
  });
});
