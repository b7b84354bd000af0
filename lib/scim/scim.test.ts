import { afterAll, beforeAll, expect, it } from 'vitest';
import { GET as notServed } from '@/app/scim/v2/[...path]/route';
import { DELETE as deleteGroup, PATCH as patchGroup } from '@/app/scim/v2/Groups/[id]/route';
import { GET as listGroups, POST as postGroup, PUT as putGroupCollection } from '@/app/scim/v2/Groups/route';
import { GET as serviceConfig } from '@/app/scim/v2/ServiceProviderConfig/route';
import {
  DELETE as deleteUser,
  GET as getUser,
  PATCH as patchUser,
  POST as postUserItem,
  PUT as putUser,
} from '@/app/scim/v2/Users/[id]/route';
import { GET as listUsers, POST as postUser } from '@/app/scim/v2/Users/route';
import { getDb } from '@/lib/db';
import { resetEnvCache } from '@/lib/env';
import { makeActiveAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { createToken } from '@/lib/tokens/commands';
import { reactivateUser } from '@/lib/users/commands';
import { SCHEMAS } from './schema';

type Handler = (request: Request, context: { params: Promise<{ id: string }> }) => Promise<Response>;
const unique = () => Math.random().toString(36).slice(2, 9);

/** An identity provider's SCIM client: a bearer token, application/scim+json both ways. */
function idp(token: string) {
  const call = async (handler: Handler, method: string, path: string, body?: unknown, id = '') => {
    const response = await handler(
      new Request(`https://custodian.example.com/scim/v2/${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      { params: Promise.resolve({ id }) },
    );
    if (response.status !== 204) expect(response.headers.get('content-type')).toBe('application/scim+json');
    return { status: response.status, body: response.status === 204 ? null : await response.json() };
  };
  const patch = (Operations: unknown[]) => ({ schemas: [SCHEMAS.patch], Operations });
  /** Adds a person to a group, or takes them out, as a provider's group push does. */
  const membership = (groupId: string, op: 'add' | 'remove', userId: string) =>
    call(
      patchGroup as Handler,
      'PATCH',
      `Groups/${groupId}`,
      patch([
        op === 'add'
          ? { op, path: 'members', value: [{ value: userId }] }
          : { op, path: `members[value eq "${userId}"]` },
      ]),
      groupId,
    );
  /** A userName change, as a provider renames someone. */
  const rename = (userId: string, userName: string) =>
    call(
      patchUser as Handler,
      'PATCH',
      `Users/${userId}`,
      patch([{ op: 'replace', path: 'userName', value: userName }]),
      userId,
    );
  return { call, patch, membership, rename };
}

async function scimToken(scopes = ['scim:provision']) {
  const admin = await createPerson(['ADMIN']);
  const { token } = await createToken(admin, { name: `okta-${unique()}`, scopes, expiresInDays: 30 });
  return { admin, token };
}

describeWithPostgresServer('SCIM 2.0 provisioning', () => {
  beforeAll(() => {
    process.env.OIDC_ROLE_MAP = 'custodian-owners:OWNER, custodian-auditors:AUDITOR';
    resetEnvCache();
  });
  afterAll(() => {
    delete process.env.OIDC_ROLE_MAP;
    resetEnvCache();
  });

  it('runs an IdP’s sequence: provision, find, update, group push, deactivate (side effects), delete', async () => {
    const { admin, token } = await scimToken();
    const { call, patch } = idp(token);
    const email = `Pat.${unique()}@Corp.example`;

    // Provision: the IdP looks the person up first, finds no one, creates them.
    const none = await call(
      listUsers as Handler,
      'GET',
      `Users?filter=${encodeURIComponent(`userName eq "${email}"`)}`,
    );
    expect(none.body).toMatchObject({ schemas: [SCHEMAS.list], totalResults: 0, Resources: [] });
    const created = await call(postUser as Handler, 'POST', 'Users', {
      schemas: [SCHEMAS.user],
      userName: email,
      externalId: `00u${unique()}`,
      name: { givenName: 'Pat', familyName: 'Lee' },
      emails: [{ value: email, primary: true, type: 'work' }],
      active: true,
      phoneNumbers: [{ value: '+1 555 0100' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userName: email, displayName: 'Pat Lee', active: true, groups: [] });
    const id = created.body.id as string;
    expect(created.body.meta.location).toBe(`https://custodian.example.com/scim/v2/Users/${id}`);
    // userName is matched in any case (RFC 7643: caseExact false), and kept as the provider spells it.
    const lower = email.toLowerCase();
    const found = await call(
      listUsers as Handler,
      'GET',
      `Users?filter=${encodeURIComponent(`userName eq "${lower}"`)}`,
    );
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
    expect((await call(postUser as Handler, 'POST', 'Users', { userName: lower })).body).toMatchObject({
      status: '409',
      scimType: 'uniqueness',
    });

    // Update (Azure AD's capitalised op, a value object) and a group push: the group's roles follow.
    const renamed = await call(
      patchUser as Handler,
      'PATCH',
      `Users/${id}`,
      patch([{ op: 'Replace', value: { displayName: 'Pat Lee-Smith', title: 'SRE' } }]),
      id,
    );
    expect(renamed.body.displayName).toBe('Pat Lee-Smith');
    const group = await call(postGroup as Handler, 'POST', 'Groups', {
      schemas: [SCHEMAS.group],
      displayName: 'custodian-owners',
      members: [{ value: id }],
    });
    expect(group.status).toBe(201);
    expect((await getDb().user.findUniqueOrThrow({ where: { id } })).roles).toEqual(['OWNER']);
    const auditors = await call(postGroup as Handler, 'POST', 'Groups', { displayName: 'custodian-auditors' });
    await call(
      patchGroup as Handler,
      'PATCH',
      `Groups/${auditors.body.id}`,
      patch([{ op: 'add', path: 'members', value: [{ value: id }] }]),
      auditors.body.id,
    );
    expect((await getDb().user.findUniqueOrThrow({ where: { id } })).roles).toEqual(['AUDITOR', 'OWNER']);
    await call(
      patchGroup as Handler,
      'PATCH',
      `Groups/${auditors.body.id}`,
      patch([{ op: 'remove', path: `members[value eq "${id}"]` }]),
      auditors.body.id,
    );
    expect((await getDb().user.findUniqueOrThrow({ where: { id } })).roles).toEqual(['OWNER']);
    const listed = await call(listGroups as Handler, 'GET', 'Groups?filter=displayName%20eq%20%22custodian-owners%22');
    expect(listed.body.Resources[0].members).toEqual([{ value: id, display: 'Pat Lee-Smith', type: 'User' }]);

    // Pat now owns an agent in service, reviews another, and made an API token.
    const agent = await makeActiveAgent(admin, { ownerId: id, riskTier: 'MEDIUM' });
    const other = await makeActiveAgent(admin, { ownerId: admin.id, riskTier: 'MEDIUM' }, { IAM: admin.id });
    const review = await getDb().review.create({
      data: {
        agentId: other.id,
        openForAgent: other.id,
        triggers: ['SCHEDULED'],
        dueAt: new Date(Date.now() + 7 * 86_400_000),
        reviewerId: id,
      },
    });
    await getDb().apiToken.create({
      data: {
        name: `pat-${unique()}`,
        tokenHash: unique().padEnd(64, '0'),
        prefix: 'cus_pat_',
        scopes: ['registry:read'],
        createdById: id,
        expiresAt: new Date(Date.now() + 86_400_000),
      },
    });

    // Deactivation through SCIM is the console's: orphaned, tokens revoked, reviews passed on.
    const off = await call(
      patchUser as Handler,
      'PATCH',
      `Users/${id}`,
      patch([{ op: 'replace', path: 'active', value: 'False' }]),
      id,
    );
    expect(off.body.active).toBe(false);
    expect((await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).orphaned).toBe(true);
    expect(await getDb().apiToken.count({ where: { createdById: id, revokedAt: null } })).toBe(0);
    expect((await getDb().review.findUniqueOrThrow({ where: { id: review.id } })).reviewerId).not.toBe(id);
    const events = await getDb().auditEvent.findMany({
      where: { details: { path: ['userId'], equals: id } },
      orderBy: { seq: 'asc' },
      select: { action: true, actorId: true },
    });
    expect(events.map((e) => e.action)).toEqual([
      'user.provisioned',
      'user.updated',
      'role.granted',
      'role.granted',
      'role.removed',
      'user.deactivated',
    ]);
    expect(new Set(events.map((e) => e.actorId))).toEqual(new Set([admin.id]));

    // Delete: hidden from SCIM (404), the row kept for the timeline.
    expect((await call(deleteUser as Handler, 'DELETE', `Users/${id}`, undefined, id)).status).toBe(204);
    expect(await call(getUser as Handler, 'GET', `Users/${id}`, undefined, id)).toMatchObject({
      status: 404,
      body: { schemas: [SCHEMAS.error], status: '404' },
    });
    expect(
      (await call(listUsers as Handler, 'GET', `Users?filter=userName%20eq%20%22${email}%22`)).body.totalResults,
    ).toBe(0);
    expect(await getDb().user.findUniqueOrThrow({ where: { id } })).toMatchObject({ active: false, email });
    expect(await getDb().scimGroupMember.count({ where: { userId: id } })).toBe(0);
    const groupEvents = await getDb().auditEvent.findMany({
      where: { action: 'group.changed', details: { path: ['groupId'], equals: group.body.id } },
      select: { details: true },
    });
    expect(groupEvents.map((e) => (e.details as { change: string }).change)).toEqual(['created']);
    // Not brought back from the console: that would restore the roles the delete left on the row.
    const deleted = await getDb().user.findUniqueOrThrow({ where: { id } });
    await expect(reactivateUser(admin, { userId: id, version: deleted.version })).rejects.toThrow(
      /identity provider deleted them/,
    );
    // Provisioned again after the delete: the same person and row, active, visible again.
    const back = await call(postUser as Handler, 'POST', 'Users', { userName: email, displayName: 'Pat Lee' });
    expect(back).toMatchObject({ status: 201, body: { id, active: true, userName: email } });
    // In no group now: the role the owners' group gave before the delete does not come back with them.
    expect((await getDb().user.findUniqueOrThrow({ where: { id } })).roles).toEqual([]);
    expect(
      (await call(deleteGroup as Handler, 'DELETE', `Groups/${group.body.id}`, undefined, group.body.id)).status,
    ).toBe(204);
  });

  it('reactivates through PUT, pages, and answers each bad request with a SCIM error, changing nothing', async () => {
    const { token } = await scimToken();
    const { call, patch } = idp(token);
    const email = `sam.${unique()}@corp.example`;
    const { body } = await call(postUser as Handler, 'POST', 'Users', { userName: email, active: false });
    expect(body.active).toBe(false);
    const on = await call(
      putUser as Handler,
      'PUT',
      `Users/${body.id}`,
      { userName: email, displayName: 'Sam' },
      body.id,
    );
    expect(on.body).toMatchObject({ active: true, displayName: 'Sam' });

    const page = await call(listUsers as Handler, 'GET', 'Users?startIndex=2&count=1');
    expect(page.body).toMatchObject({ startIndex: 2, itemsPerPage: 1 });
    expect((await call(listUsers as Handler, 'GET', 'Users?count=0')).body.Resources).toEqual([]);

    const other = await scimToken(['registry:read']);
    const before = await databaseFingerprint();
    const refusals: [Promise<{ status: number; body: Record<string, unknown> }>, number, string?][] = [
      [call(listUsers as Handler, 'GET', 'Users?filter=name.familyName%20co%20%22x%22'), 400, 'invalidFilter'],
      [call(postUser as Handler, 'POST', 'Users', { userName: 'not-an-email' }), 400, 'invalidValue'],
      [call(postUser as Handler, 'POST', 'Users', { displayName: 'no userName' }), 400, 'invalidValue'],
      [call(patchUser as Handler, 'PATCH', `Users/${body.id}`, { Operations: [] }, body.id), 400, 'invalidValue'],
      [
        call(patchUser as Handler, 'PATCH', `Users/${body.id}`, patch([{ op: 'remove', path: 'userName' }]), body.id),
        400,
        'mutability',
      ],
      [call(getUser as Handler, 'GET', 'Users/nobody', undefined, 'nobody'), 404],
      [call(listUsers as Handler, 'GET', `Users?filter=${'x'.repeat(600)}`), 400, 'invalidFilter'],
      [
        call(
          patchUser as Handler,
          'PATCH',
          `Users/${body.id}`,
          patch([{ op: 'replace', path: 'name', value: { formatted: 'x'.repeat(5000) } }]),
          body.id,
        ),
        400,
        'invalidValue',
      ],
      [call(postGroup as Handler, 'POST', 'Groups', { displayName: 'g', members: [{ value: 'ghost' }] }), 400],
    ];
    for (const [answer, status, scimType] of refusals) {
      const { status: got, body: error } = await answer;
      expect(got).toBe(status);
      expect(error).toMatchObject({
        schemas: [SCHEMAS.error],
        status: String(status),
        ...(scimType ? { scimType } : {}),
      });
    }
    // Not JSON, wrong type, no token, a token without the scope.
    const raw = (headers: Record<string, string>, bodyText?: string) =>
      (postUser as Handler)(
        new Request('https://c.example/scim/v2/Users', { method: 'POST', headers, body: bodyText }),
        {
          params: Promise.resolve({ id: '' }),
        },
      );
    expect((await raw({ authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, '{}')).status).toBe(415);
    expect((await raw({ authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' }, '{')).status).toBe(
      400,
    );
    expect((await raw({ 'content-type': 'application/scim+json' }, '{}')).status).toBe(401);
    const forbidden = await raw(
      { authorization: `Bearer ${other.token}`, 'content-type': 'application/scim+json' },
      '{}',
    );
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toMatchObject({ schemas: [SCHEMAS.error], status: '403' });
    for (const [handler, allowed] of [
      [putGroupCollection, 'GET, POST'],
      [postUserItem, 'GET, PUT, PATCH, DELETE'],
    ] as const) {
      const refused = await (handler as unknown as () => Response)();
      expect(refused.status).toBe(405);
      expect(refused.headers.get('allow')).toBe(allowed);
      expect(await refused.json()).toMatchObject({ schemas: [SCHEMAS.error], status: '405' });
    }
    const config = await (serviceConfig as Handler)(
      new Request('https://c.example/scim/v2/ServiceProviderConfig', { headers: { authorization: `Bearer ${token}` } }),
      { params: Promise.resolve({ id: '' }) },
    );
    expect(await config.json()).toMatchObject({ patch: { supported: true }, filter: { supported: true } });
    const nowhere = (notServed as () => Response)();
    expect(nowhere.status).toBe(404);
    expect(await nowhere.json()).toMatchObject({ schemas: [SCHEMAS.error], status: '404' });
    const moved = { ApiToken: undefined, ApiRateBucket: undefined };
    expect({ ...(await databaseFingerprint()), ...moved }).toEqual({ ...before, ...moved });
  });

  it('a group that maps to ADMIN asks a second security lead instead of granting it', async () => {
    process.env.OIDC_ROLE_MAP = 'custodian-leads:ADMIN, custodian-owners:OWNER';
    resetEnvCache();
    const { token, admin } = await scimToken();
    const { call } = idp(token);
    const { body: user } = await call(postUser as Handler, 'POST', 'Users', {
      userName: `lee.${unique()}@corp.example`,
    });
    await call(postGroup as Handler, 'POST', 'Groups', {
      displayName: 'custodian-leads',
      members: [{ value: user.id }],
    });
    expect((await getDb().user.findUniqueOrThrow({ where: { id: user.id } })).roles).toEqual([]);
    const requests = await getDb().changeRequest.findMany({ where: { targetUserId: user.id } });
    expect(requests).toEqual([
      expect.objectContaining({
        kind: 'ROLE_GRANT',
        status: 'PENDING',
        requestedById: admin.id,
        to: { role: 'ADMIN' },
      }),
    ]);
    process.env.OIDC_ROLE_MAP = 'custodian-owners:OWNER, custodian-auditors:AUDITOR';
    resetEnvCache();
  });

  it('leaves the token creator’s roles and a lead’s e-mail alone; gives roles back on reactivation', async () => {
    process.env.OIDC_ROLE_MAP = 'auditors-2:AUDITOR';
    resetEnvCache();
    const { token, admin } = await scimToken();
    const { call, patch, membership, rename } = idp(token);
    const { body: user } = await call(postUser as Handler, 'POST', 'Users', {
      userName: `kim.${unique()}@corp.example`,
    });
    const { body: group } = await call(postGroup as Handler, 'POST', 'Groups', {
      displayName: 'auditors-2',
      members: [{ value: user.id }, { value: admin.id }],
    });
    expect((await getDb().user.findUniqueOrThrow({ where: { id: admin.id } })).roles).toEqual(['ADMIN']);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: user.id } })).roles).toEqual(['AUDITOR']);
    const renamed = await rename(admin.id, `taken.${unique()}@evil.example`);
    expect(renamed.body).toMatchObject({ status: '400', scimType: 'mutability' });
    // An auditor decides redactions: their sign-in is not redirected either.
    const auditorRenamed = await rename(user.id, `kim.${unique()}@evil.example`);
    expect(auditorRenamed.body).toMatchObject({ status: '400', scimType: 'mutability' });
    // Nor by taking them out of the group first (and putting them back once renamed).
    await membership(group.id, 'remove', user.id);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: user.id } })).roles).toEqual([]);
    const outOfGroup = await rename(user.id, `kim.${unique()}@evil.example`);
    expect(outOfGroup.body).toMatchObject({ status: '400', scimType: 'mutability' });
    await membership(group.id, 'add', user.id);

    // Away, out of the group, back: the roles are the groups' again (none).
    const off = patch([{ op: 'replace', path: 'active', value: false }]);
    await call(patchUser as Handler, 'PATCH', `Users/${user.id}`, off, user.id);
    await membership(group.id, 'remove', user.id);
    const on = patch([{ op: 'replace', path: 'active', value: true }]);
    expect((await call(patchUser as Handler, 'PATCH', `Users/${user.id}`, on, user.id)).body.groups).toEqual([]);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: user.id } })).roles).toEqual([]);
    // Away again, put back in the group meanwhile, and reactivated from the console: their groups' roles too.
    await call(patchUser as Handler, 'PATCH', `Users/${user.id}`, off, user.id);
    await membership(group.id, 'add', user.id);
    const away = await getDb().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(away.roles).toEqual([]);
    const lead = await createPerson(['ADMIN']);
    await reactivateUser(lead, { userId: user.id, version: away.version });
    expect((await getDb().user.findUniqueOrThrow({ where: { id: user.id } })).roles).toEqual(['AUDITOR']);
    await call(deleteGroup as Handler, 'DELETE', `Groups/${group.id}`, undefined, group.id);
    process.env.OIDC_ROLE_MAP = 'custodian-owners:OWNER, custodian-auditors:AUDITOR';
    resetEnvCache();
  });

  it('keeps the guards: the last security lead is not deactivated by the IdP', async () => {
    const { token, admin } = await scimToken();
    const { call, patch } = idp(token);
    // Every other ADMIN is deactivated, so `admin` is the last.
    await getDb().user.updateMany({
      where: { roles: { has: 'ADMIN' }, id: { not: admin.id } },
      data: { active: false },
    });
    const off = await call(
      patchUser as Handler,
      'PATCH',
      `Users/${admin.id}`,
      patch([{ op: 'replace', path: 'active', value: false }]),
      admin.id,
    );
    expect(off.status).toBe(400);
    expect(off.body.detail).toMatch(/at least one active security lead/);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: admin.id } })).active).toBe(true);
  });
});
