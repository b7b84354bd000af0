import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { makeAgent } from '@/lib/testing/agents';
import { asKeylessServer } from '@/lib/testing/keyless';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { createToken } from '@/lib/tokens/commands';
import { grantRole } from '@/lib/users/commands';
import { recordRegistryBaseline } from './baseline';
import { registryDrift } from './drift';
import { trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';

const version = async (id: string) => (await getDb().user.findUniqueOrThrow({ where: { id } })).version;
const driftLines = async () => (await registryDrift(getDb())).map((d) => `${d.kind} ${d.id}: ${d.problem}`);

describe("the owner's baseline of the registry (npm run audit:baseline)", () => {
  it('records every row no event mentions, as it stands, and checks against it from then on', async () => {
    const lead = await createPerson(['ADMIN']);
    const made = await createPerson([], { name: 'Made By Hand' });
    const agent = await makeAgent(lead, { ownerId: lead.id });
    // A deployment's rows made before their events: a role, a token, a setting, an exception.
    await asOwner(
      `UPDATE "User" SET "roles" = ARRAY['PAM_APPROVER']::"Role"[] WHERE "id" = '${made.id}'`,
      `INSERT INTO "ApiToken" ("id", "name", "tokenHash", "prefix", "scopes", "createdById", "expiresAt",
         "rateLimitExempt")
       VALUES ('hand-token', 'by hand', repeat('c', 64), 'cus_hh', ARRAY['events:write'], '${lead.id}',
         now() + interval '30 days', true)`,
      `INSERT INTO "Setting" ("key", "value", "version", "updatedAt")
       VALUES ('credentialRotationDays', '45', 1, now())`,
      `INSERT INTO "Exception" ("id", "type", "agentId", "justification", "requestedById", "status", "startsAt",
         "expiresAt", "updatedAt")
       VALUES ('hand-exception', 'BROAD_SCOPE', '${agent.id}', 'loaded', '${lead.id}', 'APPROVED', now(),
         now() + interval '2 days', now())`,
      // More people than a page lists: the baseline takes every one.
      `INSERT INTO "User" ("id", "name", "email", "roles", "updatedAt")
       SELECT 'bulk_' || n, 'Bulk ' || n, 'bulk-' || n || '@example.test', ARRAY['OWNER']::"Role"[], now()
       FROM generate_series(1, 250) n`,
    );
    const expected = [`role ${made.id}`, `role ${lead.id}`, 'token hand-token', 'setting credentialRotationDays'];
    // A dry run lists them and writes nothing.
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    const dry = await recordRegistryBaseline(getDb(), { dryRun: true });
    expect(dry.rows.map((d) => `${d.kind} ${d.id}`)).toEqual(expect.arrayContaining(expected));
    expect(dry.seq).toBeNull();
    // Every release records an exception's request: one in force without it was made by hand, and the owner's
    // command never vouches for it (only a bulk load that copied its exceptions in does).
    expect(dry.rows.map((d) => d.id)).not.toContain('hand-exception');
    expect(dry.refused).toEqual([expect.objectContaining({ id: 'hand-exception', unrecorded: true })]);
    expect(await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).toEqual(head);

    const baseline = await recordRegistryBaseline(getDb(), { bulkLoad: true });
    expect(baseline.refused).toEqual([]);
    expect(await registryDrift(getDb())).toEqual([]);
    const details = baseline.details!;
    expect(details.roles).toContainEqual({ userId: made.id, roles: ['PAM_APPROVER'] });
    expect(details.roles!.filter((r) => r.userId.startsWith('bulk_'))).toHaveLength(250);
    expect(details.tokens).toEqual([
      expect.objectContaining({
        tokenId: 'hand-token',
        createdById: lead.id,
        scopes: ['events:write'],
        revoked: false,
        rateLimitExempt: true,
      }),
    ]);
    expect(details.settings).toEqual([{ key: 'credentialRotationDays', value: 45 }]);
    expect(details.exceptions).toEqual([
      expect.objectContaining({ exceptionId: 'hand-exception', agentId: agent.id, type: 'BROAD_SCOPE' }),
    ]);
    // On the timeline, signed, in a chain that still verifies.
    const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: baseline.seq! } });
    expect(event).toMatchObject({ action: 'audit.baselined', actorType: 'SYSTEM', actorId: 'audit:baseline' });
    expect(await verifyAuditChain(getDb(), { keys: trustedPublicKeys() })).toMatchObject({ ok: true, signed: true });
    expect(await recordRegistryBaseline(getDb())).toMatchObject({ rows: [], seq: null });

    // It vouches for the rows as they were, not for what changes next: each change after it shows again, and a
    // second baseline refuses it (the row now contradicts its record).
    await asOwner(
      `UPDATE "User" SET "roles" = ARRAY['PAM_APPROVER', 'ADMIN']::"Role"[] WHERE "id" = '${made.id}'`,
      `UPDATE "ApiToken" SET "scopes" = ARRAY['events:write', 'events:backfill'] WHERE "id" = 'hand-token'`,
      `UPDATE "Setting" SET "value" = '3650' WHERE "key" = 'credentialRotationDays'`,
      `UPDATE "Exception" SET "expiresAt" = "expiresAt" + interval '1 day' WHERE "id" = 'hand-exception'`,
    );
    const changed = [
      `role ${made.id}: holds ADMIN, which no event grants`,
      'token hand-token: its scopes are events:write, events:backfill, not those recorded',
      'setting credentialRotationDays: its value is not the one its last change recorded',
      'exception hand-exception: it ends later than its approval recorded',
    ];
    expect(await driftLines()).toEqual(changed);
    const again = await recordRegistryBaseline(getDb());
    expect(again).toMatchObject({ rows: [], seq: null });
    expect(again.refused.map((d) => `${d.kind} ${d.id}: ${d.problem}`)).toEqual(changed);
    expect(await driftLines()).toEqual(changed);
    // And what Custodian does after it replays on top of it.
    await asOwner(`UPDATE "User" SET "roles" = ARRAY['PAM_APPROVER']::"Role"[] WHERE "id" = '${made.id}'`);
    await grantRole(lead, { userId: made.id, role: 'AUDITOR', version: await version(made.id) });
    expect((await registryDrift(getDb())).filter((d) => d.id === made.id)).toEqual([]);
  });

  it('never vouches for a row that contradicts its events: a token given another hash stays shown', async () => {
    const lead = await createPerson(['ADMIN']);
    const token = await createToken(lead, { name: 'swapped', scopes: ['registry:read'], expiresInDays: 30 });
    await asOwner(`UPDATE "ApiToken" SET "tokenHash" = repeat('d', 64) WHERE "id" = '${token.id}'`);
    const baseline = await recordRegistryBaseline(getDb());
    expect(baseline.details?.tokens ?? []).toEqual([]);
    expect(baseline.refused.map((d) => d.id)).toContain(token.id);
    expect((await registryDrift(getDb())).map((d) => d.id)).toContain(token.id);
  });

  // Last: the event it writes leaves the chain unsigned for the rest of this file's database.
  it('is refused over a head written around the signing key: its event would not count', async () => {
    const lead = await createPerson(['ADMIN']);
    const person = await createPerson([], { name: 'Unsigned Grant' });
    await asKeylessServer(async () =>
      grantRole(lead, { userId: person.id, role: 'AUDITOR', version: await version(person.id) }),
    );
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    await expect(recordRegistryBaseline(getDb())).rejects.toThrow(/is not signed by a trusted key/);
    expect(await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).toEqual(head);
  });
});
