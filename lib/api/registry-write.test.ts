import { expect, it } from 'vitest';
import { PUT as putControl } from '@/app/api/v1/agents/[slug]/controls/[plane]/route';
import { PUT as putOwner } from '@/app/api/v1/agents/[slug]/owner/route';
import { POST as postPurpose } from '@/app/api/v1/agents/[slug]/purposes/route';
import { GET as getAgent, PATCH as patchAgent } from '@/app/api/v1/agents/[slug]/route';
import { POST as postStatus } from '@/app/api/v1/agents/[slug]/status/route';
import { POST as postAgent } from '@/app/api/v1/agents/route';
import { getDb } from '@/lib/db';
import { makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { createToken } from '@/lib/tokens/commands';

type Handler = (request: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>;

/** Calls a route handler as an API client would: a bearer token, a JSON body, If-Match when given. */
function call(
  handler: Handler,
  token: string,
  options: { params?: Record<string, string>; body?: unknown; ifMatch?: string; raw?: string; type?: string } = {},
) {
  return handler(
    new Request('http://localhost/api/v1/agents', {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': options.type ?? 'application/json',
        ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
      },
      body: options.raw ?? JSON.stringify(options.body ?? {}),
    }),
    { params: Promise.resolve(options.params ?? {}) },
  );
}

const read = (handler: Handler, token: string, slug: string) =>
  handler(new Request(`http://localhost/api/v1/agents/${slug}`, { headers: { authorization: `Bearer ${token}` } }), {
    params: Promise.resolve({ slug }),
  });

async function writer(roles: ('ADMIN' | 'OWNER')[] = ['ADMIN'], reach: Record<string, unknown> = {}) {
  const admin = await createPerson(['ADMIN']);
  const creator = roles.includes('ADMIN') ? admin : await createPerson(roles);
  const { token } = await createToken(admin, {
    name: `registry-${Math.random().toString(36).slice(2, 8)}`,
    scopes: ['registry:write', 'registry:read'],
    expiresInDays: 30,
    ...reach,
  });
  // A token acts as its creator: an OWNER's token is one an admin made whose roles were then narrowed.
  if (creator !== admin) {
    await getDb().apiToken.updateMany({ where: { createdById: admin.id }, data: { createdById: creator.id } });
  }
  return { admin, creator, token };
}

const slugOf = () => `api-${Math.random().toString(36).slice(2, 9)}`;
const fields = { name: 'API agent', kind: 'CI_AGENT', environments: ['PROD'], riskTier: 'HIGH' };

describeWithPostgresServer('the registry write API', () => {
  it('registers an agent as its creator with an ETag; bad input is named by field, changing nothing', async () => {
    const { token, admin } = await writer();
    const owner = await createPerson(['OWNER']);
    const slug = slugOf();
    const created = await call(postAgent as Handler, token, { body: { slug, ...fields, owner: owner.email } });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"v1"');
    expect(created.headers.get('location')).toBe(`/api/v1/agents/${slug}`);
    const agent = await getDb().agent.findUniqueOrThrow({ where: { slug } });
    expect(agent).toMatchObject({ status: 'PROPOSED', ownerId: owner.id, riskTier: 'HIGH' });
    const event = await getDb().auditEvent.findFirstOrThrow({ where: { agentId: agent.id, action: 'agent.created' } });
    expect(event).toMatchObject({ actorType: 'USER', actorId: admin.id });
    const got = await read(getAgent as Handler, token, slug);
    expect(got.headers.get('etag')).toBe('"v1"');

    const before = await databaseFingerprint();
    const bad = await call(postAgent as Handler, token, {
      body: { slug: slugOf(), ...fields, kind: 'ROBOT', colour: 'blue' },
    });
    expect(bad.status).toBe(422);
    const problem = await bad.json();
    expect(problem.errors.map((e: { path: string }) => e.path)).toContain('');
    const badKind = await call(postAgent as Handler, token, { body: { slug: slugOf(), ...fields, kind: 'ROBOT' } });
    expect(badKind.status).toBe(422);
    expect((await badKind.json()).errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'kind' })]));
    const nobody = await call(postAgent as Handler, token, { body: { slug: slugOf(), ...fields, owner: 'no@x.io' } });
    expect(nobody.status).toBe(422);
    expect((await nobody.json()).errors).toEqual([
      { path: 'owner', message: 'Name an active person by their e-mail.' },
    ]);
    expect((await call(postAgent as Handler, token, { raw: 'slug=x', type: 'text/plain' })).status).toBe(415);
    // Only the token's "last used" and rate bucket may move.
    const moved = { ApiToken: undefined, ApiRateBucket: undefined };
    expect({ ...(await databaseFingerprint()), ...moved }).toEqual({ ...before, ...moved });
  });

  it('PATCH needs If-Match: 428 without, 412 when stale, 200 with the new ETag when current', async () => {
    const { token, admin } = await writer();
    const agent = await makeAgent(admin, { ownerId: admin.id, riskTier: 'MEDIUM' });
    const params = { slug: agent.slug };
    const body = { name: 'Renamed by the API' };
    expect((await call(patchAgent as Handler, token, { params, body })).status).toBe(428);
    expect((await call(patchAgent as Handler, token, { params, body, ifMatch: '"v99"' })).status).toBe(412);
    expect((await call(patchAgent as Handler, token, { params, body, ifMatch: 'not-an-etag' })).status).toBe(412);
    const saved = await call(patchAgent as Handler, token, { params, body, ifMatch: `"v${agent.version}"` });
    expect(saved.status).toBe(200);
    expect(saved.headers.get('etag')).toBe(`"v${agent.version + 1}"`);
    expect(await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).toMatchObject({
      name: 'Renamed by the API',
      riskTier: 'MEDIUM',
    });
    // The same ETag again is stale now: the second writer cannot silently undo the first.
    const late = await call(patchAgent as Handler, token, {
      params,
      body: { name: 'Lost update' },
      ifMatch: `"v${agent.version}"`,
    });
    expect(late.status).toBe(412);
    const unknown = await call(patchAgent as Handler, token, {
      params,
      body: { slug: 'renamed' },
      ifMatch: `"v${agent.version + 1}"`,
    });
    expect(unknown.status).toBe(422);
  });

  it('a loosening through the API answers 202 with the change request it opened, and changes nothing yet', async () => {
    const { token, creator } = await writer(['OWNER']);
    const admin = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(admin, { ownerId: creator.id, riskTier: 'HIGH' });
    const response = await call(patchAgent as Handler, token, {
      params: { slug: agent.slug },
      body: { riskTier: 'LOW', reason: 'It only reads now' },
      ifMatch: `"v${agent.version}"`,
    });
    expect(response.status).toBe(202);
    const body = await response.json();
    expect(body.changeRequest.status).toBe('PENDING');
    const request = await getDb().changeRequest.findUniqueOrThrow({ where: { id: body.changeRequest.id } });
    expect(request).toMatchObject({ kind: 'AGENT_LOOSENING', agentId: agent.id, requestedById: creator.id });
    expect((await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).riskTier).toBe('HIGH');
  });

  it('acts within its creator’s permissions and its reach, read on every request', async () => {
    const { token, creator } = await writer(['OWNER']);
    const admin = await createPerson(['ADMIN']);
    const mine = await makeAgent(admin, { ownerId: creator.id });
    const theirs = await makeAgent(admin, { ownerId: admin.id });
    const edit = (slug: string, version: number) =>
      call(patchAgent as Handler, token, { params: { slug }, body: { name: 'By owner' }, ifMatch: `"v${version}"` });
    expect((await edit(theirs.slug, theirs.version)).status).toBe(403);
    expect((await edit(mine.slug, mine.version)).status).toBe(200);
    // Ownership is a security lead's: an owner's token may not reassign it.
    const owner = await call(putOwner as Handler, token, {
      params: { slug: mine.slug },
      body: { owner: admin.email },
      ifMatch: `"v${mine.version + 1}"`,
    });
    expect(owner.status).toBe(403);
    // The creator leaves: the token stops at once.
    await getDb().user.update({ where: { id: creator.id }, data: { active: false } });
    expect((await edit(mine.slug, mine.version + 1)).status).toBe(401);

    // A token scoped to a list reaches only those agents, and registers none.
    const listed = await writer(['ADMIN'], { agentScope: 'LIST', agents: mine.slug });
    const out = await call(patchAgent as Handler, listed.token, {
      params: { slug: theirs.slug },
      body: { name: 'Out of reach' },
      ifMatch: `"v${theirs.version}"`,
    });
    // Missing or out of reach: one answer, so a scoped token learns nothing about other agents.
    expect(out.status).toBe(404);
    const missing = await call(patchAgent as Handler, listed.token, {
      params: { slug: 'no-such-agent' },
      body: { name: 'x' },
      ifMatch: '"v1"',
    });
    expect((await missing.json()).detail.replace('no-such-agent', theirs.slug)).toBe((await out.json()).detail);
    expect((await call(postAgent as Handler, listed.token, { body: { slug: slugOf(), ...fields } })).status).toBe(403);

    // A prefix-scoped token keeps its agents under its prefix: it cannot move one out, nor register one outside.
    const prefix = `spiffe://example.com/team-${Math.random().toString(36).slice(2, 7)}/`;
    const scoped = await writer(['ADMIN'], { agentScope: 'WORKLOAD_PREFIX', workloadPrefix: prefix });
    const inside = slugOf();
    const made = await call(postAgent as Handler, scoped.token, {
      body: { slug: inside, ...fields, workloadIdentity: `${prefix}${inside}` },
    });
    expect(made.status).toBe(201);
    const away = await call(patchAgent as Handler, scoped.token, {
      params: { slug: inside },
      body: { workloadIdentity: 'spiffe://example.com/other-team/x' },
      ifMatch: '"v1"',
    });
    expect(away.status).toBe(403);
    const outside = await call(postAgent as Handler, scoped.token, {
      body: { slug: slugOf(), ...fields, workloadIdentity: 'spiffe://example.com/other-team/y' },
    });
    expect(outside.status).toBe(403);
  });

  it('a token is never the independent lead: its loosening waits, and it lifts no suspension', async () => {
    const { token, admin } = await writer();
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(await createPerson(['ADMIN']), { ownerId: owner.id, riskTier: 'HIGH' });
    // The token's creator is a lead independent of the agent; in the console they would apply this at once.
    const lowered = await call(patchAgent as Handler, token, {
      params: { slug: agent.slug },
      body: { riskTier: 'LOW' },
      ifMatch: `"v${agent.version}"`,
    });
    expect(lowered.status).toBe(202);
    const { changeRequest } = await lowered.json();
    expect((await getDb().changeRequest.findUniqueOrThrow({ where: { id: changeRequest.id } })).requestedById).toBe(
      admin.id,
    );
    const suspended = await call(postStatus as Handler, token, {
      params: { slug: agent.slug },
      body: { to: 'SUSPENDED', reason: 'Incident' },
      ifMatch: `"v${agent.version}"`,
    });
    expect(suspended.status).toBe(200);
    const lift = await call(postStatus as Handler, token, {
      params: { slug: agent.slug },
      body: { to: 'ACTIVE', reason: 'Fixed' },
      ifMatch: suspended.headers.get('etag')!,
    });
    expect(lift.status).toBe(403);
    expect((await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).status).toBe('SUSPENDED');
  });

  it('assigns owners and control owners, proposes purposes and moves the lifecycle, each versioned', async () => {
    const { token, admin } = await writer();
    const [owner, iam, pam, platform] = await Promise.all([
      createPerson(['OWNER']),
      createPerson(['OWNER']),
      createPerson(['OWNER']),
      createPerson(['OWNER']),
    ]);
    const slug = slugOf();
    const created = await call(postAgent as Handler, token, {
      body: { slug, ...fields, riskTier: 'LOW', owner: owner.email },
    });
    let etag = created.headers.get('etag')!;
    const put = async (handler: Handler, params: Record<string, string>, body: unknown) => {
      const response = await call(handler, token, { params: { slug, ...params }, body, ifMatch: etag });
      etag = response.headers.get('etag') ?? etag;
      return response;
    };
    // E-mail is matched in any case.
    expect((await put(putOwner as Handler, {}, { owner: admin.email!.toUpperCase() })).status).toBe(200);
    for (const [plane, person] of [
      ['iam', iam],
      ['PAM', pam],
      ['platform', platform],
    ] as const) {
      expect((await put(putControl as Handler, { plane }, { owner: person.email })).status).toBe(200);
    }
    expect((await put(putControl as Handler, { plane: 'root' }, { owner: iam.email })).status).toBe(422);
    const purpose = await call(postPurpose as Handler, token, {
      params: { slug },
      body: { task: 'Ship releases', scope: ['github'], environments: ['PROD'] },
    });
    expect(purpose.status).toBe(201);
    const { id: purposeId } = await purpose.json();
    expect((await getDb().purpose.findUniqueOrThrow({ where: { id: purposeId } })).status).toBe('PENDING');
    // Not ready (its purpose waits for approval): refused with every rule it breaks, nothing changed.
    const refused = await put(postStatus as Handler, {}, { to: 'ACTIVE', reason: 'Ready' });
    expect(refused.status).toBeGreaterThanOrEqual(409);
    expect((await refused.json()).detail).toMatch(/purpose/i);
    expect((await put(postStatus as Handler, {}, { to: 'RETIRED', reason: 'Not needed' })).status).toBe(200);
    const agent = await getDb().agent.findUniqueOrThrow({ where: { slug }, include: { controlAssignments: true } });
    expect(agent).toMatchObject({ status: 'RETIRED', ownerId: admin.id });
    expect(agent.controlAssignments.map((c) => c.userId).sort()).toEqual([iam.id, pam.id, platform.id].sort());
    const events = await getDb().auditEvent.findMany({
      where: { agentId: agent.id },
      select: { action: true },
      orderBy: { seq: 'asc' },
    });
    // One event per change, as the console writes them (registered with its owner; the refused activation wrote none).
    expect(events.map((e) => e.action)).toEqual([
      'agent.created',
      'owner.assigned',
      'owner.assigned',
      'control.assigned',
      'control.assigned',
      'control.assigned',
      'purpose.added',
      'agent.status_changed',
    ]);
  });
});
