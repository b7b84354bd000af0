// Credentials, agents and purposes changed in the database, against the events that made them: what the issuance gate
// and the findings read must not be loosened by a superuser's UPDATE without the registry check naming it.
import { describe, expect, it } from 'vitest';
import { changeAgentStatus } from '@/lib/agents/commands';
import type { Actor } from '@/lib/authz';
import { revokeCredential, rotateCredential, updateCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { ingestEvents } from '@/lib/ingest/commands';
import { assignControlOwner, assignOwner } from '@/lib/ownership/commands';
import { addPurpose, approvePurpose, changePurpose, expirePurpose } from '@/lib/purposes/commands';
import { completeReview } from '@/lib/reviews/commands';
import { changeSetting } from '@/lib/settings/commands';
import { editAgentForm, issueVaultedProdKey, makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { authenticate } from '@/lib/tokens/bearer';
import { createToken } from '@/lib/tokens/commands';
import { grantRole, removeRole } from '@/lib/users/commands';
import { appendAuditEvent } from './append';
import { recordRegistryBaseline } from './baseline';
import { hashEventText, type Json } from './canonical';
import { registryDrift } from './drift';
import { sealDetails } from './fields';
import { latestRegistryCheck, runRegistryCheck } from './registry-check';
import { streamEvents, type RawEvent } from './stream';

/** Each drifting row of these ids, as `problem` (kind and unrecorded kept where asked). */
const problems = async (ids: string[]) =>
  Object.fromEntries(
    (await registryDrift(getDb())).filter((d) => ids.includes(d.id)).map((d) => [d.id, d.problem] as const),
  );

/** A static API key on `agentId`, issued through the console by `by`; `extra` overrides the form's fields. */
const issueKey = async (by: Actor, agentId: string, name: string, extra: Record<string, unknown> = {}) =>
  (await issueVaultedProdKey(by, agentId, name, { secretRef: `vault:kv/prod/${name}`, ...extra })).id;

describe('credentials against their record', () => {
  it('a credential loosened, moved, revived, revoked or inserted by hand shows; one edited properly not', async () => {
    const lead = await createPerson(['ADMIN']);
    const independent = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' });
    const other = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' });
    const issue = (name: string, extra: Record<string, unknown> = {}, by: Actor = owner) =>
      issueKey(by, agent.id, name, { scope: 'billing:read', rotationPeriodDays: '30', ...extra });
    const ids = {
      flipped: await issue('flipped'),
      unprivileged: await issue('unprivileged', { privileged: 'on' }, independent),
      widened: await issue('widened'),
      longer: await issue('longer', { maxTtlSeconds: '3600' }),
      approved: await issue('approved'),
      revived: await issue('revived'),
      revokedByHand: await issue('revoked-by-hand'),
      moved: await issue('moved'),
      // A lead independent of the agent approves a year at issue; the owner then tightens it: both on record.
      honest: await issue('honest', { rotationPeriodDays: '365' }, independent),
    };
    await revokeCredential(owner, { credentialId: ids.revived, reason: 'Leaked in a log' });
    const honest = await getDb().credential.findUniqueOrThrow({ where: { id: ids.honest } });
    expect(honest.rotationApprovedDays).toBe(365);
    await updateCredential(owner, {
      credentialId: ids.honest,
      version: honest.version,
      storage: honest.storage,
      secretRef: honest.secretRef,
      scope: 'billing:read',
      rotationPeriodDays: '180',
      reason: 'Rotated more often',
    });
    expect(await getDb().credential.findUniqueOrThrow({ where: { id: ids.honest } })).toMatchObject({
      rotationPeriodDays: 180,
    });
    expect(await problems(Object.values(ids))).toEqual({});

    await asOwner(
      `UPDATE "Credential" SET "issuance" = 'DYNAMIC' WHERE "id" = '${ids.flipped}'`,
      `UPDATE "Credential" SET "privileged" = false WHERE "id" = '${ids.unprivileged}'`,
      `UPDATE "Credential" SET "scope" = 'billing:read billing:write' WHERE "id" = '${ids.widened}'`,
      `UPDATE "Credential" SET "maxTtlSeconds" = 31536000 WHERE "id" = '${ids.longer}'`,
      // The approval written in beside the period: the rotation rule would hold the key to ten years.
      `UPDATE "Credential" SET "rotationPeriodDays" = 3650, "rotationApprovedDays" = 3650
       WHERE "id" = '${ids.approved}'`,
      `UPDATE "Credential" SET "revokedAt" = NULL WHERE "id" = '${ids.revived}'`,
      `UPDATE "Credential" SET "revokedAt" = now() WHERE "id" = '${ids.revokedByHand}'`,
      `UPDATE "Credential" SET "agentId" = '${other.id}' WHERE "id" = '${ids.moved}'`,
      `INSERT INTO "Credential" ("id", "agentId", "name", "kind", "issuance", "storage", "environment", "updatedAt")
       VALUES ('inserted-credential', '${agent.id}', 'inserted', 'API_KEY', 'STATIC', 'ENV_VAR', 'PROD', now())`,
    );
    expect(await problems([...Object.values(ids), 'inserted-credential'])).toEqual({
      [ids.flipped]: 'it differs from its record in its issuance',
      [ids.unprivileged]: 'it differs from its record in its privilege',
      [ids.widened]: 'it differs from its record in its scope',
      [ids.longer]: 'it differs from its record in its maximum TTL',
      [ids.approved]: 'it differs from its record in its rotation period, approved rotation period',
      [ids.revived]: 'it was revoked, and is live again',
      [ids.revokedByHand]: 'it is revoked, and no event says so',
      [ids.moved]: 'it belongs to another agent than it was issued to',
      'inserted-credential': 'no event records what it was issued with',
    });
    const inserted = (await registryDrift(getDb())).find((d) => d.id === 'inserted-credential');
    expect(inserted).toMatchObject({ kind: 'credential', unrecorded: true, subject: `inserted of ${agent.slug}` });
  });

  it('a credential a broker reports into being carries its record: changed by hand, it shows', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id, riskTier: 'MEDIUM' });
    const { token } = await createToken(lead, { name: 'broker', scopes: ['events:write'], expiresInDays: 1 });
    const broker = await authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${token}` } }),
      'events:write',
    );
    const reported = {
      type: 'credential.issued',
      agent: { slug: agent.slug },
      occurredAt: new Date().toISOString(),
      credential: {
        name: 'reported-key',
        kind: 'API_KEY',
        issuance: 'DYNAMIC',
        storage: 'VAULT_OR_BROKER',
        environment: 'PROD',
        maxTtlSeconds: 900,
      },
    };
    // Reported twice in one batch: the record is made once, and carried by the first event.
    expect((await ingestEvents(broker, { events: [reported, reported] }, { partial: false })).status).toBe(201);
    const key = await getDb().credential.findFirstOrThrow({ where: { agentId: agent.id, name: 'reported-key' } });
    const issued = await getDb().auditEvent.findMany({
      where: { credentialId: key.id, action: 'credential.issued' },
      orderBy: { seq: 'asc' },
    });
    expect(issued.map((e) => (e.details as { record?: unknown }).record !== undefined)).toEqual([true, false]);
    expect(await problems([key.id])).toEqual({});
    await asOwner(`UPDATE "Credential" SET "maxTtlSeconds" = NULL WHERE "id" = '${key.id}'`);
    expect(await problems([key.id])).toEqual({ [key.id]: 'it differs from its record in its maximum TTL' });
  });
});

describe('agents against their record', () => {
  it('an agent lowered, revived, handed on or widened by hand shows; one changed through Custodian not', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const next = await createPerson(['OWNER']);
    const make = () => makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' });
    const [lowered, revived, handed, widened, renamed, retyped, controlled, honest] = [
      await make(),
      await make(),
      await make(),
      await make(),
      await make(),
      await make(),
      await make(),
      await make(),
    ];
    // Through Custodian: a tier raised, the owner reassigned, the agent suspended.
    const version = async (id: string) => (await getDb().agent.findUniqueOrThrow({ where: { id } })).version;
    const row = await getDb().agent.findUniqueOrThrow({ where: { id: honest!.id } });
    await editAgentForm(lead, row.id, { riskTier: 'CRITICAL', reason: 'Handles payments now' });
    await assignOwner(lead, { agentId: row.id, version: await version(row.id), userId: next.id });
    for (const a of [honest!, revived!]) {
      await changeAgentStatus(lead, { id: a.id, version: await version(a.id), to: 'SUSPENDED', reason: 'Incident' });
    }
    await assignControlOwner(lead, { agentId: row.id, version: await version(row.id), plane: 'PAM', userId: next.id });
    const ids = [lowered, revived, handed, widened, renamed, retyped, controlled, honest].map((a) => a!.id);
    expect(await problems(ids)).toEqual({});

    await asOwner(
      `UPDATE "Agent" SET "riskTier" = 'LOW' WHERE "id" = '${lowered!.id}'`,
      `UPDATE "Agent" SET "status" = 'ACTIVE' WHERE "id" = '${revived!.id}'`,
      `UPDATE "Agent" SET "ownerId" = '${next.id}' WHERE "id" = '${handed!.id}'`,
      `UPDATE "Agent" SET "environments" = ARRAY['PROD','DEV']::"Environment"[] WHERE "id" = '${widened!.id}'`,
      `UPDATE "Agent" SET "workloadIdentity" = 'spiffe://example.com/other' WHERE "id" = '${renamed!.id}'`,
      // A support agent is not held to the CI rule on static credentials; a plane handed to the owner, one dropped.
      `UPDATE "Agent" SET "kind" = 'SUPPORT_AGENT', "reviewCadenceDays" = 3650 WHERE "id" = '${retyped!.id}'`,
      `UPDATE "ControlAssignment" SET "userId" = '${owner.id}'
       WHERE "agentId" = '${controlled!.id}' AND "plane" = 'IAM'`,
      `DELETE FROM "ControlAssignment" WHERE "agentId" = '${controlled!.id}' AND "plane" = 'PAM'`,
      `INSERT INTO "Agent" ("id", "slug", "name", "kind", "riskTier", "status", "updatedAt")
       VALUES ('inserted-agent', 'inserted-agent', 'Inserted', 'CI_AGENT', 'LOW', 'ACTIVE', now())`,
    );
    expect(await problems([...ids, 'inserted-agent'])).toEqual({
      [lowered!.id]: 'its tier is LOW, not HIGH',
      [revived!.id]: 'it is ACTIVE; its events leave it SUSPENDED',
      [handed!.id]: 'its owner is not the one last assigned',
      [widened!.id]: 'it differs from its record in its environments',
      [renamed!.id]: 'it differs from its record in its workload identity',
      [retyped!.id]: 'it differs from its record in its kind, review cadence',
      [controlled!.id]: 'its IAM, PAM are not held as assigned',
      'inserted-agent': 'no event records its creation',
    });
  });

  it('an agent made before its creation recorded its status is still held to its tier and status', async () => {
    // As an older release wrote it: the row, and an agent.created with slug, name and tier only.
    await asOwner(
      `INSERT INTO "Agent" ("id", "slug", "name", "kind", "riskTier", "environments", "updatedAt")
       VALUES ('legacy-agent', 'legacy-agent', 'Legacy', 'CI_AGENT', 'HIGH', ARRAY['PROD']::"Environment"[], now())`,
    );
    await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'agent.created',
        actor: { type: 'SYSTEM', id: 'older-release' },
        agentId: 'legacy-agent',
        details: { slug: 'legacy-agent', name: 'Legacy', riskTier: 'HIGH' },
      }),
    );
    // Only what its creation did not record is missing: the owner's baseline may vouch for it.
    const [legacy] = (await registryDrift(getDb())).filter((d) => d.id === 'legacy-agent');
    expect(legacy).toMatchObject({
      unrecorded: true,
      problem: 'its kind, review cadence, environments, workload identity, next review date were never recorded',
    });
    await asOwner(
      `UPDATE "Agent" SET "environments" = ARRAY['DEV']::"Environment"[], "status" = 'ACTIVE', "riskTier" = 'LOW'
       WHERE "id" = 'legacy-agent'`,
    );
    // Its environments were never recorded, so they are not compared; its status and tier were, and contradicted,
    // it is no longer the baseline's to vouch for.
    expect((await registryDrift(getDb())).filter((d) => d.id === 'legacy-agent')).toEqual([
      expect.objectContaining({
        unrecorded: false,
        problem: 'it is ACTIVE; its events leave it PROPOSED; its tier is LOW, not HIGH',
      }),
    ]);
  });
});

describe('the next review and the last rotation against their record', () => {
  it('a next review moved on or cleared by hand shows; one rescheduled, reviewed or retired properly not', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const iam = await createPerson(['OWNER']);
    const make = () => makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' }, { IAM: iam.id });
    const [later, cleared, retiered, reviewed, retired] = [
      await make(),
      await make(),
      await make(),
      await make(),
      await make(),
    ];
    const version = async (id: string) => (await getDb().agent.findUniqueOrThrow({ where: { id } })).version;
    const ids = [later, cleared, retiered, reviewed, retired].map((a) => a!.id);
    const due = async (id: string) => (await getDb().agent.findUniqueOrThrow({ where: { id } })).nextReviewDue;

    // Through Custodian: a tier raised reschedules it, a review completed sets the next, retiring clears it.
    const row = await getDb().agent.findUniqueOrThrow({ where: { id: retiered!.id } });
    const before = row.nextReviewDue;
    await editAgentForm(lead, row.id, { riskTier: 'CRITICAL', reason: 'Handles payments now' });
    expect(await due(row.id)).not.toEqual(before);
    await addPurpose(owner, { agentId: reviewed!.id, task: 'Opens a review', scope: 'github', environments: ['DEV'] });
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: reviewed!.id } });
    const reviewer = [lead, owner, iam].find((p) => p.id === review.reviewerId)!;
    // A shorter cadence for its tier (a tightening, applied at once), so the date its review sets is not its first.
    const cadence = await getDb().setting.findUnique({ where: { key: 'reviewCadenceDays' } });
    await changeSetting(lead, {
      key: 'reviewCadenceDays',
      version: String(cadence?.version ?? 0),
      CRITICAL: '30',
      HIGH: '60',
      MEDIUM: '180',
      LOW: '365',
    });
    const first = await due(reviewed!.id);
    await completeReview(reviewer, {
      reviewId: review.id,
      version: review.version,
      outcome: 'CERTIFIED',
      notes: 'Checked its purpose',
    });
    expect(await due(reviewed!.id)).not.toEqual(first);
    await changeAgentStatus(lead, {
      id: retired!.id,
      version: await version(retired!.id),
      to: 'RETIRED',
      reason: 'Done',
    });
    expect(await due(retired!.id)).toBeNull();
    expect(await problems(ids)).toEqual({});

    // What the issuance gate refuses past, moved on ten years, or cleared; a retired agent given one back.
    await asOwner(
      `UPDATE "Agent" SET "nextReviewDue" = "nextReviewDue" + interval '3650 days' WHERE "id" = '${later!.id}'`,
      `UPDATE "Agent" SET "nextReviewDue" = NULL WHERE "id" IN ('${cleared!.id}', '${reviewed!.id}')`,
      `UPDATE "Agent" SET "nextReviewDue" = now() + interval '1 day' WHERE "id" = '${retired!.id}'`,
    );
    const found = await problems(ids);
    expect(Object.keys(found).sort()).toEqual([later!.id, cleared!.id, reviewed!.id, retired!.id].sort());
    const moved = (await due(later!.id))!;
    const recorded = new Date(moved.getTime() - 3650 * 86_400_000);
    expect(found[later!.id]).toBe(
      `its next review falls due ${moved.toISOString()}; its record says ${recorded.toISOString()}`,
    );
    expect(found[cleared!.id]).toMatch(/^its next review falls due none; its record says \d{4}-/);
    expect(found[retired!.id]).toMatch(/; its record says none$/);

    // An honest edit after it (a rename, which keeps the date) does not write the moved date into the record.
    await editAgentForm(owner, later!.id, { name: 'Renamed after the date moved' });
    expect((await problems([later!.id]))[later!.id]).toBe(found[later!.id]);
  });

  it('an earlier release’s update that rescheduled without recording the date leaves it to the baseline', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id, riskTier: 'HIGH' });
    // As that release wrote a tier change: the change, and no date.
    await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'agent.updated',
        actor: { type: 'SYSTEM', id: 'older-release' },
        agentId: agent.id,
        details: { changes: { riskTier: { from: 'HIGH', to: 'HIGH' } } },
      }),
    );
    const [row] = (await registryDrift(getDb())).filter((d) => d.id === agent.id);
    expect(row).toMatchObject({ unrecorded: true, problem: 'its next review date was never recorded' });
    // The owner's baseline vouches for it as it stands; moved on after that, it shows again.
    await recordRegistryBaseline(getDb(), { only: (d) => d.id === agent.id });
    expect(await problems([agent.id])).toEqual({});
    await asOwner(`UPDATE "Agent" SET "nextReviewDue" = NULL WHERE "id" = '${agent.id}'`);
    expect(await problems([agent.id])).toEqual({
      [agent.id]: expect.stringMatching(/^its next review falls due none; its record says /),
    });
  });

  it('an update that keeps the date (environments narrowed) says so: the date stays compared', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id, environments: ['DEV', 'PROD'] });
    await editAgentForm(lead, agent.id, { environments: ['PROD'] });
    const updated = await getDb().auditEvent.findFirstOrThrow({
      where: { agentId: agent.id, action: 'agent.updated' },
    });
    expect(updated.details).toMatchObject({ changes: { environments: { to: ['PROD'] } }, nextReviewKept: true });
    expect(await problems([agent.id])).toEqual({});
    await asOwner(`UPDATE "Agent" SET "nextReviewDue" = NULL WHERE "id" = '${agent.id}'`);
    expect(await problems([agent.id])).toEqual({
      [agent.id]: expect.stringMatching(/^its next review falls due none; its record says /),
    });
  });

  it('a last rotation moved past its record shows; one recorded, or reported ahead within skew, not', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id });
    const [forward, back, rotated, revoked] = [
      await issueKey(lead, agent.id, 'forward-key'),
      await issueKey(lead, agent.id, 'back-key'),
      await issueKey(lead, agent.id, 'rotated-key'),
      await issueKey(lead, agent.id, 'revoked-key'),
    ];
    // The rotation, moments after the issue, explains a later last rotation than the issue does.
    await rotateCredential(lead, { credentialId: rotated, reason: 'Scheduled' });
    await revokeCredential(lead, { credentialId: revoked, reason: 'No longer needed' });
    const ids = [forward, back, rotated, revoked];
    expect(await problems(ids)).toEqual({});
    // Moved on, it ends the rotation finding and a break-glass's wait: named. Moved back, it only raises a finding;
    // on a revoked key it ends nothing.
    await asOwner(
      `UPDATE "Credential" SET "lastRotatedAt" = now() + interval '1 day' WHERE "id" IN ('${forward}', '${revoked}')`,
      `UPDATE "Credential" SET "lastRotatedAt" = now() - interval '400 days' WHERE "id" = '${back}'`,
    );
    const found = await problems(ids);
    expect(Object.keys(found)).toEqual([forward]);
    expect(found[forward]).toMatch(/^it shows a rotation at \S+, after the last recorded one \(\S+\)$/);
    // A rotation recorded through Custodian is the new bound: the row at it is explained.
    await rotateCredential(lead, { credentialId: forward, reason: 'Rotated for real' });
    expect(await problems([forward])).toEqual({});

    // A broker may report an issue a little ahead of this server's clock: the row is at the reported time.
    const { token } = await createToken(lead, { name: 'broker', scopes: ['events:write'], expiresInDays: 1 });
    const broker = await authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${token}` } }),
      'events:write',
    );
    const ahead = new Date(Date.now() + 4 * 60_000).toISOString();
    const reported = {
      type: 'credential.issued',
      agent: { slug: agent.slug },
      occurredAt: ahead,
      credential: {
        name: 'ahead-key',
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'VAULT_OR_BROKER',
        environment: 'PROD',
      },
    };
    expect((await ingestEvents(broker, { events: [reported] }, { partial: false })).status).toBe(201);
    const key = await getDb().credential.findFirstOrThrow({ where: { agentId: agent.id, name: 'ahead-key' } });
    expect(key.lastRotatedAt?.toISOString()).toBe(ahead);
    expect(await problems([key.id])).toEqual({});

    // A rotation reported today as having happened ten days ago explains ten days ago, not today.
    const backfilled = await issueKey(lead, agent.id, 'backfilled-key');
    const late = {
      type: 'credential.rotated',
      agent: { slug: agent.slug },
      occurredAt: new Date(Date.now() - 10 * 86_400_000).toISOString(),
      credential: { name: 'backfilled-key' },
    };
    const { token: backfilling } = await createToken(lead, {
      name: 'backfilling broker',
      scopes: ['events:write', 'events:backfill'],
      expiresInDays: 1,
    });
    const backfiller = await authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${backfilling}` } }),
      'events:write',
    );
    expect((await ingestEvents(backfiller, { events: [late] }, { partial: false })).status).toBe(201);
    expect(await problems([backfilled])).toEqual({});
    await asOwner(`UPDATE "Credential" SET "lastRotatedAt" = now() WHERE "id" = '${backfilled}'`);
    expect(await problems([backfilled])).toEqual({ [backfilled]: expect.stringMatching(/^it shows a rotation at /) });
  });
});

describe('purposes against their record', () => {
  it('a purpose approved, widened, moved, lengthened or revived by hand shows; one changed properly not', async () => {
    const lead = await createPerson(['ADMIN']);
    const approver = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id });
    const other = await makeActiveAgent(lead, { ownerId: owner.id });
    const add = async (task: string, extra: Record<string, unknown> = {}) =>
      (await addPurpose(owner, { agentId: agent.id, task, scope: 'github', environments: ['DEV'], ...extra })).id;
    const ids = {
      approved: await add('approved by hand'),
      widened: await add('widened by hand'),
      retasked: await add('retasked by hand'),
      everywhere: await add('sent everywhere by hand'),
      split: await add('split by hand', { scope: ['github\nprod-db'] }),
      moved: await add('moved by hand'),
      longer: await add('lengthened by hand', { expiresAt: new Date(Date.now() + 7 * 86_400_000).toISOString() }),
      approver: await add('approver swapped'),
      revived: await add('revived by hand'),
      honest: await add('changed through Custodian'),
      inserted: 'purpose-by-hand',
    };
    const approve = [ids.widened, ids.retasked, ids.everywhere, ids.split, ids.moved, ids.longer, ids.approver];
    for (const id of [...approve, ids.revived, ids.honest])
      await approvePurpose(approver, { purposeId: id, version: 1 });
    await expirePurpose(owner, { purposeId: ids.revived, version: 2, reason: 'Task ended' });
    await changePurpose(owner, {
      purposeId: ids.honest,
      version: 2,
      task: 'changed through Custodian, wider',
      scope: 'github, jira',
      environments: ['DEV', 'STAGING'],
    });
    await approvePurpose(approver, { purposeId: ids.honest, version: 3 });
    expect(await problems(Object.values(ids))).toEqual({});
    // Whoever holds the database widens what the gate allows.
    await asOwner(
      `UPDATE "Purpose" SET "status" = 'APPROVED', "approvedById" = '${approver.id}' WHERE "id" = '${ids.approved}'`,
      `UPDATE "Purpose" SET "scope" = ARRAY['github', 'prod-db'] WHERE "id" = '${ids.widened}'`,
      `UPDATE "Purpose" SET "task" = 'anything at all' WHERE "id" = '${ids.retasked}'`,
      `UPDATE "Purpose" SET "environments" = ARRAY['DEV', 'PROD']::"Environment"[] WHERE "id" = '${ids.everywhere}'`,
      `UPDATE "Purpose" SET "scope" = ARRAY['github', 'prod-db'] WHERE "id" = '${ids.split}'`,
      `UPDATE "Purpose" SET "agentId" = '${other.id}' WHERE "id" = '${ids.moved}'`,
      `UPDATE "Purpose" SET "expiresAt" = NULL WHERE "id" = '${ids.longer}'`,
      `UPDATE "Purpose" SET "approvedById" = '${lead.id}' WHERE "id" = '${ids.approver}'`,
      `UPDATE "Purpose" SET "status" = 'APPROVED' WHERE "id" = '${ids.revived}'`,
      `INSERT INTO "Purpose" ("id", "agentId", "task", "scope", "environments", "status", "approvedById", "updatedAt")
       VALUES ('${ids.inserted}', '${agent.id}', 'by hand', ARRAY['github'], ARRAY['PROD']::"Environment"[],
         'APPROVED', '${approver.id}', now())`,
    );
    expect(await problems(Object.values(ids))).toEqual({
      [ids.approved]: 'it is APPROVED; its events leave it PENDING',
      [ids.widened]: 'it differs from its record in its tools',
      [ids.retasked]: 'it differs from its record in its task',
      [ids.everywhere]: 'it differs from its record in its environments',
      [ids.split]: 'it differs from its record in its tools',
      [ids.moved]: 'it belongs to another agent than it was added to',
      [ids.longer]: 'it differs from its record in its end',
      [ids.approver]: 'someone other than its approver is recorded as approving it',
      [ids.revived]: 'it is APPROVED; its events leave it EXPIRED',
      [ids.inserted]: 'no event records it (every release records a purpose’s addition)',
    });
    // Made by hand, not by an older release: the owner's baseline never vouches for it.
    const baseline = await recordRegistryBaseline(getDb(), { dryRun: true, only: (d) => d.kind === 'purpose' });
    expect(baseline.refused.map((d) => d.id)).toContain(ids.inserted);
    expect(baseline.rows.map((d) => d.id)).not.toContain(ids.inserted);
  });

  it('one added before its end was recorded is unrecorded until a baseline, and held to it after', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id });
    const id = 'purpose-of-an-older-release';
    await asOwner(
      `INSERT INTO "Purpose" ("id", "agentId", "task", "scope", "environments", "updatedAt")
       VALUES ('${id}', '${agent.id}', 'older', ARRAY['github'], ARRAY['DEV']::"Environment"[], now())`,
    );
    await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'purpose.added',
        actor: { type: 'USER', id: lead.id },
        agentId: agent.id,
        details: { purposeId: id, task: 'older', scope: ['github'], environments: ['DEV'] },
      }),
    );
    const [row] = (await registryDrift(getDb())).filter((d) => d.id === id);
    expect(row).toMatchObject({ kind: 'purpose', unrecorded: true, problem: 'its end was never recorded' });
    await recordRegistryBaseline(getDb(), { only: (d) => d.id === id });
    expect(await problems([id])).toEqual({});
    await asOwner(`UPDATE "Purpose" SET "expiresAt" = now() + interval '1 year' WHERE "id" = '${id}'`);
    expect(await problems([id])).toEqual({ [id]: 'it differs from its record in its end' });
  });
});

describe('the owner’s baseline, against a credential or agent changed in the database', () => {
  it('vouches for a row no event records, never for one that contradicts its record', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id, riskTier: 'HIGH' });
    const loosened = await issueKey(lead, agent.id, 'loosened-then-baselined');
    // Whoever holds the database and runs the owner's command: loosen a key and lower the agent, then vouch.
    await asOwner(
      `UPDATE "Credential" SET "issuance" = 'DYNAMIC' WHERE "id" = '${loosened}'`,
      `UPDATE "Agent" SET "riskTier" = 'LOW' WHERE "id" = '${agent.id}'`,
      `INSERT INTO "Credential" ("id", "agentId", "name", "kind", "issuance", "storage", "environment", "updatedAt")
       VALUES ('made-by-hand', '${agent.id}', 'made-by-hand', 'API_KEY', 'STATIC', 'ENV_VAR', 'PROD', now())`,
    );
    const baseline = await recordRegistryBaseline(getDb(), {
      only: (d) => d.kind === 'credential' || d.kind === 'agent',
    });
    expect(baseline.rows.map((d) => d.id)).toContain('made-by-hand');
    expect(baseline.rows.map((d) => d.id)).not.toContain(loosened);
    expect(baseline.rows.map((d) => d.id)).not.toContain(agent.id);
    expect(baseline.refused.map((d) => d.id)).toEqual(expect.arrayContaining([loosened, agent.id]));
    // After it, the hand-made key is explained; the loosened key and the lowered agent still show.
    expect(await problems([loosened, agent.id, 'made-by-hand'])).toEqual({
      [loosened]: 'it differs from its record in its issuance',
      [agent.id]: 'its tier is LOW, not HIGH',
    });
  });
});

describe('the events the check replays', () => {
  it('an issue event rewritten beside the row it describes is not believed: both show', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id, riskTier: 'HIGH' });
    const issue = (name: string) => issueKey(lead, agent.id, name);
    const valueOnly = await issue('value-only');
    const withDigest = await issue('with-digest');
    // Two more after them, so each has a successor and a signed head lies beyond what is rewritten.
    await issue('after');
    await issue('later');
    const seqOf = async (credentialId: string) =>
      (await getDb().auditEvent.findFirstOrThrow({ where: { credentialId, action: 'credential.issued' } })).seq;
    const [a, b] = [await seqOf(valueOnly), await seqOf(withDigest)];
    // The second rewritten whole, as anyone can (the hashing is public): new details, their digests and salts, its
    // hash recomputed over them, and the event after it relinked to it and rehashed too. Each holds on its own and
    // links to the one before; only the walk on to the next head Custodian signed betrays them.
    const read = async (seq: bigint) => {
      const pages: RawEvent[][] = [];
      for await (const page of streamEvents(getDb(), `e."seq" = ${seq}`)) pages.push(page);
      return pages.flat()[0]!;
    };
    const event = await read(b);
    const details = JSON.parse(event.details) as { record: Record<string, unknown> };
    details.record.issuance = 'DYNAMIC';
    const sealed = sealDetails(details as unknown as Json);
    const hash = hashEventText(event.prevHash, {
      ...event,
      details: JSON.stringify(details),
      digests: JSON.stringify(sealed.digests),
    });
    const after = await read(b + 1n);
    const afterHash = hashEventText(hash, after);
    const text = (v: unknown) => `'${JSON.stringify(v).replaceAll("'", "''")}'`;
    const original = await Promise.all([a, b].map(read));
    // With the triggers off, as a superuser would: the first event's value alone, the second whole.
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "details" = jsonb_set("details", '{record,issuance}', '"DYNAMIC"') WHERE "seq" = ${a}`,
      `UPDATE "AuditEvent" SET "details" = ${text(details)}, "digests" = ${text(sealed.digests)},
         "salts" = ${text(sealed.salts)}, "hash" = '${hash}' WHERE "seq" = ${b}`,
      `UPDATE "AuditEvent" SET "prevHash" = '${hash}', "hash" = '${afterHash}' WHERE "seq" = ${b + 1n}`,
      `UPDATE "Credential" SET "issuance" = 'DYNAMIC' WHERE "id" IN ('${valueOnly}', '${withDigest}')`,
    );
    const drift = await registryDrift(getDb());
    const altered = drift.filter((d) => d.kind === 'event' && !d.id.startsWith('after:'));
    expect(altered.map((d) => [d.id, d.problem])).toEqual([
      [String(a), expect.stringMatching(/^it was altered: field \/record\/issuance/)],
      [String(b), expect.stringMatching(/^it was altered: the events from it to the signed head at \d+ do not hold/)],
      [String(b + 1n), expect.stringMatching(/^it was altered: the events from it to the signed head/)],
    ]);
    expect(await problems([valueOnly, withDigest])).toEqual({
      [valueOnly]: 'no event records what it was issued with',
      [withDigest]: 'no event records what it was issued with',
    });
    // Not the owner's to vouch for: what replaced them contradicts nothing, but the events were altered.
    expect(drift.find((d) => d.id === String(a))?.unrecorded).toBe(false);
    // Put back, so the checks after this one walk a chain that holds.
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      ...original.map(
        (e) => `UPDATE "AuditEvent" SET "details" = ${text(JSON.parse(e.details))},
          "digests" = ${text(JSON.parse(e.digests!))}, "salts" = ${text(JSON.parse(e.salts!))}, "hash" = '${e.hash}'
          WHERE "seq" = ${e.seq}`,
      ),
      `UPDATE "AuditEvent" SET "prevHash" = '${event.hash}', "hash" = '${after.hash}' WHERE "seq" = ${b + 1n}`,
    );
    expect((await registryDrift(getDb())).filter((d) => d.kind === 'event')).toEqual([]);
  });
});

describe('the registry check as a job', () => {
  it('records a signed result the System page shows; a result written in the database is not vouched for', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeAgent(lead, { ownerId: lead.id });
    await asOwner(`UPDATE "Agent" SET "riskTier" = 'LOW' WHERE "id" = '${agent.id}'`);
    const run = await runRegistryCheck();
    const latest = async () => (await latestRegistryCheck(lead)).latest;
    expect(await latest()).toMatchObject({ id: run.id, vouched: true, driftCount: run.driftCount });
    expect((await latest())!.rows).toContainEqual(expect.objectContaining({ kind: 'agent', id: agent.id }));
    // Someone with the database's keys hides it: a newer "all clear", dated ahead, and an edit of the signed one.
    await asOwner(
      `INSERT INTO "RegistryCheck" ("id", "checkedAt", "driftCount", "unrecorded", "rows", "durationMs")
       VALUES ('forged', now() + interval '1 hour', 0, 0, '[]', 1)`,
    );
    expect(await latest()).toMatchObject({ driftCount: 0, vouched: false });
    // The trigger dated it now, not ahead: the next real run is the latest again.
    const again = await runRegistryCheck();
    expect(await latest()).toMatchObject({ id: again.id, vouched: true });
    await asOwner(`UPDATE "RegistryCheck" SET "driftCount" = 0, "rows" = '[]' WHERE "id" = '${again.id}'`);
    expect(await latest()).toMatchObject({ driftCount: 0, vouched: false });
    // A result left to age (the job stopped, or its newer results deleted) says so.
    await asOwner(`UPDATE "RegistryCheck" SET "checkedAt" = now() - interval '4 hours'`);
    expect(await latest()).toMatchObject({ stale: true });
    // Each run is on the custody timeline too, with its counts.
    const [event] = await getDb().$queryRaw<{ details: Record<string, unknown> }[]>`
      SELECT "details" FROM "AuditEvent" WHERE "action" = 'registry.checked' ORDER BY "seq" DESC LIMIT 1`;
    expect(event!.details).toMatchObject({ checkId: again.id, driftCount: again.driftCount });
  });

  it.skipIf(!process.env.MIGRATION_DATABASE_URL)('the application role cannot remove a result', async () => {
    // On a PostgreSQL server the code runs as a role that owns nothing (the embedded database has one role).
    await expect(getDb().$executeRawUnsafe(`DELETE FROM "RegistryCheck"`)).rejects.toThrow(/permission denied/);
    await expect(getDb().$executeRawUnsafe(`UPDATE "RegistryCheck" SET "driftCount" = 0`)).rejects.toThrow(
      /permission denied/,
    );
  });

  it('an event the last check replayed, relabelled or deleted since, trips the next check', async () => {
    const lead = await createPerson(['ADMIN']);
    const person = await createPerson([], { name: 'Tripwire Person' });
    const version = async () => (await getDb().user.findUniqueOrThrow({ where: { id: person.id } })).version;
    await grantRole(lead, { userId: person.id, role: 'AUDITOR', version: await version() });
    await removeRole(lead, { userId: person.id, role: 'AUDITOR', version: await version() });
    const tripped = (rows: { id: string }[]) => rows.filter((d) => d.id.startsWith('through:'));
    expect(tripped((await runRegistryCheck()).rows as { id: string }[])).toEqual([]);
    // The removal relabelled (its hash no longer holds, which only a walk of the chain would see) and the role given
    // back by hand: replayed alone, the grant stands, and the row agrees with it.
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = 'system.note'
       WHERE "action" = 'role.removed' AND "details" ->> 'userId' = '${person.id}'`,
      `UPDATE "User" SET "roles" = ARRAY['AUDITOR']::"Role"[] WHERE "id" = '${person.id}'`,
    );
    expect((await registryDrift(getDb())).filter((d) => d.id === person.id)).toEqual([]);
    // What the last signed run replayed is not all there: the next run says so.
    const next = await runRegistryCheck();
    const alarm = [
      expect.objectContaining({
        kind: 'event',
        problem: expect.stringMatching(/^a check replayed (\d+) registry events here and \d+ are found now/),
      }),
    ];
    expect(tripped(next.rows as { id: string }[])).toEqual(alarm);
    expect((await latestRegistryCheck(lead)).latest).toMatchObject({ vouched: true, driftCount: next.driftCount });
    // Waiting does not clear it: the run after replays what this one did, and still names what is gone.
    expect(tripped((await runRegistryCheck()).rows as { id: string }[])).toEqual(alarm);
    // Nor does emptying the results table: the page says results were deleted, and the next run reads what to find
    // again from the chain.
    await asOwner(`DELETE FROM "RegistryCheck"`);
    expect(await latestRegistryCheck(lead)).toMatchObject({
      latest: null,
      deleted: { driftCount: expect.any(Number), seq: expect.any(BigInt) },
    });
    const after = await runRegistryCheck();
    expect(tripped(after.rows as { id: string }[])).toEqual(alarm);
    expect(await latestRegistryCheck(lead)).toMatchObject({ latest: { id: after.id }, deleted: null });
    // Put back as it was, the event is found again, and the alarm ends.
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = 'role.removed'
       WHERE "action" = 'system.note' AND "details" ->> 'userId' = '${person.id}'`,
      `UPDATE "User" SET "roles" = ARRAY[]::"Role"[] WHERE "id" = '${person.id}'`,
    );
    expect(tripped((await runRegistryCheck()).rows as { id: string }[])).toEqual([]);
  });

  it('hiding the later checks on the chain, to make an older one the last, is named', async () => {
    const lead = await createPerson(['ADMIN']);
    const person = await createPerson([], { name: 'Hidden Check Person' });
    const version = async () => (await getDb().user.findUniqueOrThrow({ where: { id: person.id } })).version;
    const tripped = (rows: { id: string }[]) => rows.filter((d) => /^(through|after):/.test(d.id));
    // Put back as it stands, so the tests after this one start clean; an earlier check is the one the attacker wants.
    const restore = [
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = 'role.removed' WHERE "action" = 'system.note'
       AND "details" ->> 'userId' = '${person.id}'`,
      `UPDATE "AuditEvent" SET "action" = 'registry.checked' WHERE "action" = 'system.note' AND "details" ? 'checkId'`,
      `UPDATE "User" SET "roles" = ARRAY[]::"Role"[] WHERE "id" = '${person.id}'`,
    ];
    expect(tripped((await runRegistryCheck()).rows as { id: string }[])).toEqual([]);
    await grantRole(lead, { userId: person.id, role: 'AUDITOR', version: await version() });
    await removeRole(lead, { userId: person.id, role: 'AUDITOR', version: await version() });
    const [first] = await getDb().$queryRaw<{ seq: bigint }[]>`
      SELECT max("seq") AS "seq" FROM "AuditEvent" WHERE "action" = 'role.removed'`;
    await runRegistryCheck();
    await runRegistryCheck();
    // The removal relabelled, the role given back, and every check that replayed it relabelled too.
    const hide = [
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = 'system.note'
       WHERE "action" = 'role.removed' AND "details" ->> 'userId' = '${person.id}'`,
      `UPDATE "AuditEvent" SET "action" = 'system.note'
       WHERE "action" = 'registry.checked' AND "seq" > ${first!.seq}`,
      `UPDATE "User" SET "roles" = ARRAY['AUDITOR']::"Role"[] WHERE "id" = '${person.id}'`,
    ];
    await asOwner(...hide);
    // The signed results still name what they replayed.
    expect(tripped((await runRegistryCheck()).rows as { id: string }[])).toContainEqual(
      expect.objectContaining({ id: expect.stringMatching(/^through:/) }),
    );
    // With them deleted as well, the walk from the last check left on the chain finds the hidden ones.
    await asOwner(...restore);
    expect(tripped((await runRegistryCheck()).rows as { id: string }[])).toEqual([]);
    await asOwner(...hide, `DELETE FROM "RegistryCheck"`);
    const walked = expect.objectContaining({
      id: expect.stringMatching(/^after:/),
      problem: expect.stringMatching(/^the chain does not hold here \(walked from seq \d+, where the last registry/),
    });
    expect(tripped((await runRegistryCheck()).rows as { id: string }[])).toContainEqual(walked);
    // And on the run after: the check that found the break records the replay it compared with, not its own.
    const breaks = async () =>
      ((await runRegistryCheck()).rows as { id: string }[]).filter((d) => d.id.startsWith('after:')).length;
    const standing = await breaks();
    expect(standing).toBeGreaterThan(0);
    // One more event altered while the alarm stands is its own row.
    const [granted] = await getDb().$queryRaw<{ seq: bigint }[]>`
      SELECT max("seq") AS "seq" FROM "AuditEvent" WHERE "action" = 'role.granted'`;
    const relabel = (to: string) => [
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "action" = '${to}' WHERE "seq" = ${granted!.seq}`,
    ];
    await asOwner(...relabel('user.signed_in'));
    expect(await breaks()).toBe(standing + 1);
    await asOwner(...relabel('role.granted'), ...restore);
    expect(tripped((await runRegistryCheck()).rows as { id: string }[])).toEqual([]);
  });

  it('a check whose record on the chain bears tombstones no redaction made is named; the job still runs', async () => {
    const lead = await createPerson(['ADMIN']);
    await runRegistryCheck();
    const [last] = await getDb().$queryRaw<{ seq: bigint }[]>`
      SELECT max("seq") AS "seq" FROM "AuditEvent" WHERE "action" = 'registry.checked'`;
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "details" = jsonb_set(jsonb_set("details", '{throughSeq}', '{"$redacted": "r1"}'),
         '{driftCount}', '{"$redacted": "r1"}'), "salts" = "salts" - '/throughSeq' - '/driftCount'
       WHERE "seq" = ${last!.seq}`,
    );
    // No redaction record names them (none may redact a check's counts): a forgery, named, never a crash.
    const run = await runRegistryCheck();
    expect(run.rows).toContainEqual(
      expect.objectContaining({ id: String(last!.seq), problem: expect.stringMatching(/no redaction made it/) }),
    );
    expect(await latestRegistryCheck(lead)).toMatchObject({ latest: { id: run.id }, deleted: null });
    // The page still names the chain's last check whose result is gone, its count redacted or not.
    await asOwner(`DELETE FROM "RegistryCheck" WHERE "id" = '${run.id}'`);
    expect(await latestRegistryCheck(lead)).toMatchObject({ deleted: { driftCount: run.driftCount } });
    await asOwner(
      `SET LOCAL session_replication_role = replica`,
      `UPDATE "AuditEvent" SET "details" = jsonb_set("details", '{driftCount}', '{"$redacted": "r2"}'),
         "salts" = "salts" - '/driftCount'
       WHERE "seq" = (SELECT max("seq") FROM "AuditEvent" WHERE "action" = 'registry.checked')`,
    );
    expect(await latestRegistryCheck(lead)).toMatchObject({ deleted: { driftCount: null } });
  });

  it('only those who may see the System page read it; only those who may verify the chain run it now', async () => {
    const { checkRegistryNow } = await import('./registry-check');
    const owner = await createPerson(['OWNER']);
    const auditor = await createPerson(['AUDITOR']);
    await expect(latestRegistryCheck(owner)).rejects.toThrow();
    await expect(checkRegistryNow(owner)).rejects.toThrow();
    await expect(checkRegistryNow(auditor)).resolves.toMatch(/row|record/);
  });
});
