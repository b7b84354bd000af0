import { describe, expect, it } from 'vitest';
import { issueCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { decideException, requestException, revokeException } from '@/lib/exceptions/commands';
import { changeSetting } from '@/lib/settings/commands';
import { makeAgent } from '@/lib/testing/agents';
import { asKeylessServer } from '@/lib/testing/keyless';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { createToken, revokeToken } from '@/lib/tokens/commands';
import { grantRole } from '@/lib/users/commands';
import { registryDrift } from './drift';

const driftOf = async (subject: string) =>
  (await registryDrift(getDb())).filter((d) => d.subject === subject || d.subject.includes(`(${subject})`));
const version = async (id: string) => (await getDb().user.findUniqueOrThrow({ where: { id } })).version;

describe('the registry against its record, after a database-level change', () => {
  it('a role no event grants, or one lost with no event, shows; one granted through Custodian does not', async () => {
    const lead = await createPerson(['ADMIN']);
    const person = await createPerson([], { name: 'Drift Person' });
    await grantRole(lead, { userId: person.id, role: 'AUDITOR', version: await version(person.id) });
    expect(await driftOf('Drift Person')).toEqual([]);
    // A superuser makes them a PAM approver and takes the auditor role away, outside Custodian.
    await asOwner(`UPDATE "User" SET "roles" = ARRAY['PAM_APPROVER']::"Role"[] WHERE "id" = '${person.id}'`);
    expect(await driftOf('Drift Person')).toEqual([
      {
        kind: 'role',
        id: person.id,
        subject: 'Drift Person',
        problem: 'holds PAM_APPROVER, which no event grants; lost AUDITOR, which no event removes',
        unrecorded: false,
      },
    ]);
  });

  it('a token inserted, widened, extended, swapped or revived shows; one made through Custodian does not', async () => {
    const lead = await createPerson(['ADMIN']);
    const make = (name: string) => createToken(lead, { name, scopes: ['registry:read'], expiresInDays: 30 });
    const widened = await make('widened');
    const extended = await make('extended');
    const swapped = await make('swapped');
    const revived = await make('revived');
    const honest = await make('honest');
    await revokeToken(lead, { tokenId: revived.id, version: 1 });
    expect(await driftOf(honest.id)).toEqual([]);
    expect(await driftOf(revived.id)).toEqual([]);
    // A list in any order, a scope named twice: the row is what the event records.
    const tag = Math.random().toString(36).slice(2, 8);
    for (const slug of [`zz-${tag}`, `aa-${tag}`]) await makeAgent(lead, { slug, ownerId: lead.id });
    const listed = await createToken(lead, {
      name: 'listed',
      scopes: ['registry:read', 'registry:read'],
      agentScope: 'LIST',
      agents: `zz-${tag}, aa-${tag}`,
      expiresInDays: 30,
    });
    expect(await driftOf(listed.id)).toEqual([]);
    await asOwner(
      `UPDATE "ApiToken" SET "scopes" = ARRAY['registry:read','events:backfill'] WHERE "id" = '${widened.id}'`,
      `UPDATE "ApiToken" SET "expiresAt" = "expiresAt" + interval '300 days' WHERE "id" = '${extended.id}'`,
      `UPDATE "ApiToken" SET "tokenHash" = repeat('a', 64) WHERE "id" = '${swapped.id}'`,
      `UPDATE "ApiToken" SET "revokedAt" = NULL WHERE "id" = '${revived.id}'`,
      `INSERT INTO "ApiToken" ("id", "name", "tokenHash", "prefix", "scopes", "createdById", "expiresAt")
       VALUES ('inserted-token', 'inserted', repeat('b', 64), 'cus_xx', ARRAY['events:write'], '${lead.id}',
         now() + interval '1 day')`,
    );
    const problem = async (id: string) => (await driftOf(id)).map((d) => d.problem);
    expect(await problem(widened.id)).toEqual([expect.stringMatching(/its scopes are registry:read, events:backfill/)]);
    expect(await problem(extended.id)).toEqual(['it expires later than recorded']);
    expect(await problem(swapped.id)).toEqual([expect.stringMatching(/another token was put in its place/)]);
    expect(await problem(revived.id)).toEqual(['it was revoked, and is live again']);
    expect(await problem('inserted-token')).toEqual(['no event records its creation']);
    expect(await driftOf(honest.id)).toEqual([]);
  });

  it('a setting changed by hand, or set with no event, shows; one changed through Custodian does not', async () => {
    const lead = await createPerson(['ADMIN']);
    await changeSetting(lead, {
      key: 'reviewerRule',
      version: '0',
      ownerMayNotReviewTiers: ['MEDIUM', 'HIGH', 'CRITICAL'],
    });
    expect((await registryDrift(getDb())).filter((d) => d.kind === 'setting')).toEqual([]);
    await asOwner(
      `UPDATE "Setting" SET "value" = '{"ownerMayNotReviewTiers": []}' WHERE "key" = 'reviewerRule'`,
      `INSERT INTO "Setting" ("key", "value", "version", "updatedAt")
       VALUES ('credentialRotationDays', '3650', 1, now())`,
    );
    expect((await registryDrift(getDb())).filter((d) => d.kind === 'setting')).toEqual([
      {
        kind: 'setting',
        id: 'credentialRotationDays',
        subject: 'credentialRotationDays',
        problem: 'it was set, and no event says so',
        unrecorded: true,
      },
      {
        kind: 'setting',
        id: 'reviewerRule',
        subject: 'reviewerRule',
        problem: 'its value is not the one its last change recorded',
        unrecorded: false,
      },
    ]);
  });
  it('an exception put in force, widened, lengthened or revived by hand shows; one approved does not', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const [pam1, pam2] = [await createPerson(['PAM_APPROVER']), await createPerson(['PAM_APPROVER'])];
    const agent = await makeAgent(admin, { ownerId: owner.id, riskTier: 'CRITICAL' });
    const issue = async (name: string) =>
      (
        await issueCredential(owner, {
          agentId: agent.id,
          name,
          kind: 'API_KEY',
          issuance: 'STATIC',
          storage: 'VAULT_OR_BROKER',
          secretRef: `vault:kv/prod/x/${name}`,
          environment: 'PROD',
        })
      ).id;
    const [key, other] = [await issue('deploy-key'), await issue('root-key')];
    const ask = async (type: 'BREAK_GLASS' | 'BROAD_SCOPE') =>
      (
        await requestException(owner, {
          agentId: agent.id,
          type,
          credentialIds: [key],
          justification: 'Outage',
          durationHours: 2,
        })
      ).id;
    const approve = (who: typeof pam1, exceptionId: string) =>
      decideException(who, { exceptionId, outcome: 'APPROVE', reason: 'approved for the outage' });
    const honest = await ask('BREAK_GLASS');
    await approve(pam1, honest);
    await approve(pam2, honest);
    const [pending, lengthened, widened, retyped, revoked, forged, stretched, downgraded] = [
      await ask('BREAK_GLASS'),
      await ask('BROAD_SCOPE'),
      await ask('BROAD_SCOPE'),
      await ask('BROAD_SCOPE'),
      await ask('BROAD_SCOPE'),
      await ask('BREAK_GLASS'),
      await ask('BROAD_SCOPE'),
      await ask('BREAK_GLASS'),
    ];
    for (const id of [lengthened, widened, retyped, revoked]) await approve(pam1, id);
    await revokeException(pam2, { exceptionId: revoked, reason: 'outage over' });
    const exceptionDrift = async () =>
      Object.fromEntries(
        (await registryDrift(getDb())).filter((d) => d.kind === 'exception').map((d) => [d.id, d.problem]),
      );
    expect(await exceptionDrift()).toEqual({});
    // A superuser puts a request in force, lengthens one, widens one to another key, turns one into a break-glass,
    // revives a revoked one, and inserts a second approver's decision so that one real approval completes the pair.
    const ghost = await createPerson(['PAM_APPROVER']);
    await asOwner(
      `UPDATE "Exception" SET "status" = 'APPROVED', "startsAt" = now(), "expiresAt" = now() + interval '2 hours'
       WHERE "id" = '${pending}'`,
      `UPDATE "Exception" SET "expiresAt" = "expiresAt" + interval '30 days' WHERE "id" = '${lengthened}'`,
      `INSERT INTO "ExceptionCredential" ("exceptionId", "credentialId") VALUES ('${widened}', '${other}')`,
      `UPDATE "Exception" SET "type" = 'BREAK_GLASS' WHERE "id" = '${retyped}'`,
      `UPDATE "Exception" SET "status" = 'APPROVED', "revokedAt" = NULL, "revokedById" = NULL, "endedAt" = NULL,
         "expiresAt" = now() + interval '1 hour' WHERE "id" = '${revoked}'`,
      `INSERT INTO "ExceptionDecision" ("id", "exceptionId", "deciderId", "outcome", "reason")
       VALUES ('forged-decision', '${forged}', '${ghost.id}', 'APPROVE', 'ok')`,
    );
    await approve(pam1, forged);
    // And the rows an approval reads, changed before an honest one: the window asked for (the approval then records
    // the longer one), and the approvals needed (a lower tier and count, the tier put back after).
    await asOwner(
      `UPDATE "Exception" SET "windowMinutes" = 10080 WHERE "id" = '${stretched}'`,
      `UPDATE "Exception" SET "requiredApprovals" = 1 WHERE "id" = '${downgraded}'`,
      `UPDATE "Agent" SET "riskTier" = 'HIGH' WHERE "id" = '${agent.id}'`,
    );
    await approve(pam1, stretched);
    await approve(pam1, downgraded);
    await asOwner(`UPDATE "Agent" SET "riskTier" = 'CRITICAL' WHERE "id" = '${agent.id}'`);
    expect(await getDb().exception.count({ where: { id: { in: [stretched, downgraded] }, status: 'APPROVED' } })).toBe(
      2,
    );
    expect(await exceptionDrift()).toEqual({
      [stretched]: 'it ends later than its approval recorded',
      [downgraded]: '1 person approved it on record, and it needed 2',
      [pending]: 'no approval put it in force',
      [lengthened]: 'it ends later than its approval recorded',
      [widened]: 'it covers credentials its request did not name',
      [retyped]: 'it is a BREAK_GLASS exception; BROAD_SCOPE was requested',
      [revoked]: 'it was revoked, and is in force again',
      [forged]: '1 person approved it on record, and it needed 2',
    });
  });

  // Last: the events it writes leave the chain unsigned for the rest of this file's database.
  it('an event written around Custodian’s signing is not credited: a role it grants still shows', async () => {
    const lead = await createPerson(['ADMIN']);
    const person = await createPerson([], { name: 'Unsigned Grant' });
    // The application's database role can append a chained event, but not sign it: as a server with no key does.
    await asKeylessServer(async () =>
      grantRole(lead, { userId: person.id, role: 'AUDITOR', version: await version(person.id) }),
    );
    expect(await driftOf('Unsigned Grant')).toEqual([
      {
        kind: 'role',
        id: person.id,
        subject: 'Unsigned Grant',
        problem: 'holds AUDITOR, which no event grants',
        unrecorded: true,
      },
    ]);
  });
});
