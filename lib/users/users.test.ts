import { describe, expect, it } from 'vitest';
import { loadActor } from '@/lib/auth/session';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden, Invalid, Unauthenticated } from '@/lib/errors';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { deactivateUser, grantRole, reactivateUser, removeRole } from './commands';

const version = async (id: string) => (await getDb().user.findUniqueOrThrow({ where: { id } })).version;
const events = (action: string, userId: string) =>
  getDb().auditEvent.findMany({ where: { action, details: { path: ['userId'], equals: userId } } });

describe('people: roles and activation', () => {
  it('an ADMIN grants and removes roles; each change is audited with who did it', async () => {
    const admin = await createPerson(['ADMIN']);
    const person = await createPerson([]);
    await expect(grantRole(admin, { userId: person.id, role: 'AUDITOR', version: person.version })).resolves.toMatch(
      /granted/,
    );
    expect((await loadActor(person.id))?.roles).toEqual(['AUDITOR']);
    await removeRole(admin, { userId: person.id, role: 'AUDITOR', version: await version(person.id) });
    expect((await loadActor(person.id))?.roles).toEqual([]);
    const [granted] = await events('role.granted', person.id);
    expect(granted).toMatchObject({
      actorType: 'USER',
      actorId: admin.id,
      details: { userId: person.id, role: 'AUDITOR' },
    });
    expect(await events('role.removed', person.id)).toHaveLength(1);
  });

  it('a deactivated person loses access on their next request; reactivation restores it', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    expect(await loadActor(owner.id)).not.toBeNull();
    await deactivateUser(admin, { userId: owner.id, version: owner.version, reason: 'Left the company' });
    expect(await loadActor(owner.id)).toBeNull();
    expect(await events('user.deactivated', owner.id)).toHaveLength(1);
    await reactivateUser(admin, { userId: owner.id, version: await version(owner.id) });
    expect(await loadActor(owner.id)).toMatchObject({ id: owner.id, roles: ['OWNER'] });
  });

  it('refuses the wrong role, the signed-out and bad input, and changes nothing', async () => {
    const auditor = await createPerson(['AUDITOR']);
    const admin = await createPerson(['ADMIN']);
    const person = await createPerson(['OWNER']);
    const before = await databaseFingerprint();
    await expect(grantRole(auditor, { userId: person.id, role: 'ADMIN', version: 1 })).rejects.toThrow(Forbidden);
    await expect(deactivateUser(null, { userId: person.id, version: 1, reason: 'x' })).rejects.toThrow(Unauthenticated);
    await expect(grantRole(admin, { userId: person.id, role: 'ROOT', version: 1 })).rejects.toThrow(Invalid);
    await expect(deactivateUser(admin, { userId: person.id, version: 1, reason: '' })).rejects.toMatchObject({
      fieldErrors: { reason: [expect.stringMatching(/at least 3/)] },
    });
    await expect(grantRole(admin, { userId: person.id, role: 'OWNER', version: 1 })).rejects.toThrow(/already hold/);
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('a stale version is a conflict, not a silent overwrite', async () => {
    const admin = await createPerson(['ADMIN']);
    const person = await createPerson([]);
    await grantRole(admin, { userId: person.id, role: 'OWNER', version: person.version });
    await expect(grantRole(admin, { userId: person.id, role: 'AUDITOR', version: person.version })).rejects.toThrow(
      Conflict,
    );
    expect((await loadActor(person.id))?.roles).toEqual(['OWNER']);
  });

  it('an ADMIN cannot remove or deactivate the last active ADMIN', async () => {
    // Make this file's database hold exactly one active admin.
    await getDb().user.updateMany({ where: { roles: { has: 'ADMIN' } }, data: { active: false } });
    const last = await createPerson(['ADMIN']);
    // Removing their own role is refused outright (nobody changes their own roles).
    await expect(removeRole(last, { userId: last.id, role: 'ADMIN', version: last.version })).rejects.toThrow(
      /Nobody changes their own roles/,
    );
    await expect(deactivateUser(last, { userId: last.id, version: last.version, reason: 'Leaving' })).rejects.toThrow(
      /at least one active/,
    );
    const second = await createPerson(['ADMIN']);
    await expect(removeRole(second, { userId: last.id, role: 'ADMIN', version: last.version })).resolves.toMatch(
      /removed/,
    );
  });
});

describeWithPostgresServer('people: concurrent last-admin removal', () => {
  it('two admins removing each other at the same moment: exactly one succeeds', async () => {
    await getDb().user.updateMany({ where: { roles: { has: 'ADMIN' } }, data: { active: false } });
    for (let round = 0; round < 10; round++) {
      const a = await createPerson(['ADMIN']);
      const b = await createPerson(['ADMIN']);
      const results = await Promise.allSettled([
        removeRole(a, { userId: b.id, role: 'ADMIN', version: b.version }),
        removeRole(b, { userId: a.id, role: 'ADMIN', version: a.version }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      expect(await getDb().user.count({ where: { active: true, roles: { has: 'ADMIN' } } })).toBe(1);
      await getDb().user.updateMany({ where: { roles: { has: 'ADMIN' } }, data: { active: false } });
    }
  });
});
