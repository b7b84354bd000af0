import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { resetEnvCache } from '@/lib/env';
import { createPerson } from '@/lib/testing/people';
import { parseRoleMap, resolveOidcPerson, rolesFromClaims, type OidcProfile } from './oidc';

const account = (sub: string) => ({ provider: 'oidc', type: 'oauth' as const, providerAccountId: sub });
const profile = (sub: string, groups: string[], email = `${sub}@corp.example`): OidcProfile => ({
  sub,
  email,
  email_verified: true,
  name: sub,
  groups,
});
const eventsFor = (userId: string) =>
  getDb().auditEvent.findMany({
    where: { OR: [{ actorId: userId }, { details: { path: ['userId'], equals: userId } }] },
    orderBy: { seq: 'asc' },
    select: { action: true, details: true },
  });

describe('OIDC sign-in', () => {
  beforeAll(() => {
    process.env.OIDC_ROLE_CLAIM = 'groups';
    process.env.OIDC_ROLE_MAP = 'sec-leads:ADMIN, pam:PAM_APPROVER, auditors:AUDITOR, pam:OWNER';
    resetEnvCache();
  });
  afterAll(() => {
    delete process.env.OIDC_ROLE_CLAIM;
    delete process.env.OIDC_ROLE_MAP;
    resetEnvCache();
  });

  it('maps groups to roles, and refuses a malformed map with a clear message', () => {
    expect(parseRoleMap('a:ADMIN,b:OWNER,a:AUDITOR').get('a')).toEqual(['ADMIN', 'AUDITOR']);
    expect(() => parseRoleMap('a:ROOT')).toThrow(/must be group:ROLE/);
    expect(rolesFromClaims({ groups: ['pam', 'unrelated'] })).toEqual(['PAM_APPROVER', 'OWNER']);
    expect(rolesFromClaims({ groups: 'auditors sec-leads' })).toEqual(['ADMIN', 'AUDITOR']);
    expect(rolesFromClaims({})).toEqual([]);
  });

  it(
    'first sign-in creates the person with the mapped roles; ' + 'later sign-ins follow the claim; all audited',
    async () => {
      const first = await resolveOidcPerson(profile('kai', ['pam']), account('kai'));
      if (!first.ok) throw new Error('expected sign-in');
      const kai = await getDb().user.findUniqueOrThrow({ where: { id: first.userId } });
      expect(kai).toMatchObject({ email: 'kai@corp.example', roles: ['PAM_APPROVER', 'OWNER'], active: true });

      const second = await resolveOidcPerson(profile('kai', ['auditors']), account('kai'));
      expect(second).toEqual({ ok: true, userId: kai.id });
      expect((await getDb().user.findUniqueOrThrow({ where: { id: kai.id } })).roles).toEqual(['AUDITOR']);
      expect(await getDb().account.count({ where: { userId: kai.id } })).toBe(1);

      expect((await eventsFor(kai.id)).map((e) => e.action)).toEqual([
        'role.granted',
        'role.granted',
        'user.signed_in',
        'role.granted',
        'role.removed',
        'role.removed',
        'user.signed_in',
      ]);
    },
  );

  it('links to a person an admin created by e-mail, and refuses a deactivated person (audited)', async () => {
    const existing = await createPerson(['OWNER'], { active: false });
    const result = await resolveOidcPerson(profile('lee', ['auditors'], existing.email!), account('lee'));
    expect(result).toEqual({ ok: false, userId: existing.id, reason: 'person is deactivated' });
    const [refusal] = (await eventsFor(existing.id)).filter((e) => e.action === 'user.sign_in_refused');
    expect(refusal?.details).toEqual({ provider: 'oidc', reason: 'person is deactivated' });
    // Roles of a deactivated person are not touched by the claim.
    expect((await getDb().user.findUniqueOrThrow({ where: { id: existing.id } })).roles).toEqual(['OWNER']);
  });

  it('the provider dropping the last active lead’s group does not remove ADMIN (the rest applies)', async () => {
    const first = await resolveOidcPerson(profile('lone-lead', ['sec-leads', 'auditors']), account('lone-lead'));
    if (!first.ok) throw new Error('expected sign-in');
    // Every other security lead in this file's database is deactivated: this one is the last.
    await getDb().user.updateMany({
      where: { roles: { has: 'ADMIN' }, id: { not: first.userId } },
      data: { active: false },
    });
    await resolveOidcPerson(profile('lone-lead', ['auditors']), account('lone-lead'));
    expect((await getDb().user.findUniqueOrThrow({ where: { id: first.userId } })).roles.sort()).toEqual([
      'ADMIN',
      'AUDITOR',
    ]);
    const removed = (await eventsFor(first.userId)).filter((e) => e.action === 'role.removed');
    expect(removed).toEqual([]);
  });
});
