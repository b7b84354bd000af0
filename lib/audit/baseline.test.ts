import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { asKeylessServer } from '@/lib/testing/keyless';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { grantRole } from '@/lib/users/commands';
import { recordRegistryBaseline } from './baseline';
import { registryDrift } from './drift';
import { trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';

const version = async (id: string) => (await getDb().user.findUniqueOrThrow({ where: { id } })).version;

describe("the owner's baseline of the registry (npm run audit:baseline)", () => {
  it('records every row no event explains, as it stands, and checks against it from then on', async () => {
    const lead = await createPerson(['ADMIN']);
    const made = await createPerson([], { name: 'Made By Hand' });
    // A deployment's rows made before their events: a role, a token, a setting.
    await asOwner(
      `UPDATE "User" SET "roles" = ARRAY['PAM_APPROVER']::"Role"[] WHERE "id" = '${made.id}'`,
      `INSERT INTO "ApiToken" ("id", "name", "tokenHash", "prefix", "scopes", "createdById", "expiresAt",
         "rateLimitExempt")
       VALUES ('hand-token', 'by hand', repeat('c', 64), 'cus_hh', ARRAY['events:write'], '${lead.id}',
         now() + interval '30 days', true)`,
      `INSERT INTO "Setting" ("key", "value", "version", "updatedAt")
       VALUES ('credentialRotationDays', '45', 1, now())`,
      // More people than the check lists on a page: the baseline takes every one.
      `INSERT INTO "User" ("id", "name", "email", "roles", "updatedAt")
       SELECT 'bulk_' || n, 'Bulk ' || n, 'bulk-' || n || '@example.test', ARRAY['OWNER']::"Role"[], now()
       FROM generate_series(1, 250) n`,
    );
    const before = await registryDrift(getDb(), { all: true });
    expect(before.map((d) => `${d.kind} ${d.id}`)).toEqual(
      expect.arrayContaining([
        `role ${made.id}`,
        `role ${lead.id}`,
        'token hand-token',
        'setting credentialRotationDays',
      ]),
    );

    const baseline = await recordRegistryBaseline(getDb());
    if (!baseline.recorded) throw new Error('expected a baseline');
    expect(baseline.after).toEqual([]);
    expect(baseline.details.roles).toContainEqual({ userId: made.id, name: 'Made By Hand', roles: ['PAM_APPROVER'] });
    expect(baseline.details.roles!.filter((r) => r.userId.startsWith('bulk_'))).toHaveLength(250);
    expect(baseline.details.tokens).toEqual([
      expect.objectContaining({
        tokenId: 'hand-token',
        createdById: lead.id,
        scopes: ['events:write'],
        revoked: false,
        rateLimitExempt: true,
      }),
    ]);
    expect(baseline.details.settings).toEqual([{ key: 'credentialRotationDays', value: 45 }]);
    // On the timeline, signed, in a chain that still verifies.
    const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: baseline.seq } });
    expect(event).toMatchObject({ action: 'audit.baselined', actorType: 'SYSTEM', actorId: 'audit:baseline' });
    expect(await verifyAuditChain(getDb(), { keys: trustedPublicKeys() })).toMatchObject({ ok: true, signed: true });
    expect(await recordRegistryBaseline(getDb())).toEqual({ recorded: false });

    // It vouches for the rows as they were, not for what changes next: each change after it shows again.
    await asOwner(
      `UPDATE "User" SET "roles" = ARRAY['PAM_APPROVER', 'ADMIN']::"Role"[] WHERE "id" = '${made.id}'`,
      `UPDATE "ApiToken" SET "scopes" = ARRAY['events:write', 'events:backfill'] WHERE "id" = 'hand-token'`,
      `UPDATE "Setting" SET "value" = '3650' WHERE "key" = 'credentialRotationDays'`,
    );
    expect((await registryDrift(getDb(), { all: true })).map((d) => `${d.kind} ${d.id}: ${d.problem}`)).toEqual([
      `role ${made.id}: holds ADMIN, which no event grants`,
      expect.stringMatching(/^token hand-token: its scopes are events:write, events:backfill, not those recorded$/),
      'setting credentialRotationDays: its value is not the one its last change recorded',
    ]);
    // And what Custodian does after it replays on top of it.
    await asOwner(`UPDATE "User" SET "roles" = ARRAY['PAM_APPROVER']::"Role"[] WHERE "id" = '${made.id}'`);
    await grantRole(lead, { userId: made.id, role: 'AUDITOR', version: await version(made.id) });
    expect((await registryDrift(getDb(), { all: true })).filter((d) => d.id === made.id)).toEqual([]);
  });

  // Last: the event it writes leaves the chain unsigned for the rest of this file's database.
  it('an unsigned baseline is not credited: written around the signing key, it explains nothing', async () => {
    const person = await createPerson(['AUDITOR'], { name: 'Unsigned Baseline' });
    const baseline = await asKeylessServer(() => recordRegistryBaseline(getDb()));
    if (!baseline.recorded) throw new Error('expected a baseline');
    expect(baseline.details.roles).toContainEqual({ userId: person.id, name: 'Unsigned Baseline', roles: ['AUDITOR'] });
    // Checked with the key, as the verifier runs.
    expect((await registryDrift(getDb(), { all: true })).map((d) => d.id)).toContain(person.id);
  });
});
