// A token acts as its creator, bounded by its scopes: the attacks are a
// creator who loses the permission (or leaves) while the token lives on.
import { describe, expect, it, vi } from 'vitest';
import { GET as getAgent } from '@/app/api/v1/agents/[slug]/route';
import { GET as listAgents } from '@/app/api/v1/agents/route';
import { GET as listEvents, POST as postEvents } from '@/app/api/v1/events/route';
import { getDb } from '@/lib/db';
import { resetEnvCache } from '@/lib/env';
import { changeSetting } from '@/lib/settings/commands';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { deactivateUser, removeRole } from '@/lib/users/commands';
import { createToken } from './commands';

const post = (token: string, slug: string, occurredAt = new Date(), query = '') =>
  postEvents(
    new Request(`http://localhost/api/v1/events${query}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({
        events: [
          {
            type: 'credential.issued',
            occurredAt: occurredAt.toISOString(),
            agent: { slug },
            credential: {
              name: 'lease',
              kind: 'API_KEY',
              issuance: 'STATIC',
              storage: 'VAULT_OR_BROKER',
              environment: 'PROD',
            },
          },
        ],
      }),
    }),
  );

describe('API tokens act as their creator', () => {
  it('a creator who loses the permission takes the token’s power with them (403)', async () => {
    const creator = await createPerson(['ADMIN']);
    const other = await createPerson(['ADMIN']);
    const agent = await makeAgent(other, { ownerId: other.id });
    const { token } = await createToken(creator, { name: 'broker', scopes: ['events:write'], expiresInDays: 30 });
    const before = await post(token, agent.slug);
    expect(before.status).toBeLessThan(300);
    // The creator is now only an auditor: the same token may no longer write custody.
    await getDb().user.update({ where: { id: creator.id }, data: { roles: ['AUDITOR'] } });
    const after = await post(token, agent.slug);
    expect(after.status).toBe(403);
    expect(after.headers.get('content-type')).toBe('application/problem+json');
    expect((await after.json()).detail).toMatch(/acts as .*no longer holds permission/);
  });

  it('a deactivated creator’s token stops at once and is revoked with a timeline event', async () => {
    const creator = await createPerson(['ADMIN']);
    const lead = await createPerson(['ADMIN']);
    const agent = await makeAgent(lead, { ownerId: lead.id });
    const { token, id } = await createToken(creator, { name: 'runner', scopes: ['events:write'], expiresInDays: 30 });
    expect((await post(token, agent.slug)).status).toBeLessThan(300);
    const version = (await getDb().user.findUniqueOrThrow({ where: { id: creator.id } })).version;
    await deactivateUser(lead, { userId: creator.id, version, reason: 'Left the company' });
    const refused = await post(token, agent.slug);
    expect(refused.status).toBe(401);
    expect((await getDb().apiToken.findUniqueOrThrow({ where: { id } })).revokedAt).not.toBeNull();
    const revoked = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'token.revoked', details: { path: ['tokenId'], equals: id } },
    });
    expect(revoked.details).toMatchObject({ reason: 'its creator was deactivated' });
  });

  it('nobody removes their own role to dodge a rule, and a removed role is gone from their tokens too', async () => {
    const creator = await createPerson(['ADMIN', 'OWNER']);
    const lead = await createPerson(['ADMIN']);
    const agent = await makeAgent(lead, { ownerId: lead.id });
    const { token } = await createToken(creator, { name: 'ci-runner', scopes: ['events:write'], expiresInDays: 30 });
    const version = (await getDb().user.findUniqueOrThrow({ where: { id: creator.id } })).version;
    await removeRole(lead, { userId: creator.id, role: 'ADMIN', version });
    // Still an OWNER, but not of this agent: the token may not write its custody.
    expect((await post(token, agent.slug)).status).toBe(403);
  });
});

describe('API tokens are bounded: agents, lifetime, time and rate', () => {
  const read = (token: string, url: string) =>
    new Request(`http://localhost${url}`, { headers: { authorization: `Bearer ${token}` } });

  it('a token writes (or reads) for an agent outside its scope: 403 problem JSON, nothing recorded', async () => {
    const admin = await createPerson(['ADMIN']);
    const inside = await makeAgent(admin, { ownerId: admin.id, workloadIdentity: 'spiffe://corp/ci/runner-1' });
    const outside = await makeAgent(admin, { ownerId: admin.id, workloadIdentity: 'spiffe://corp/prod/api' });
    const scopes = ['events:write', 'registry:read', 'audit:read'];
    const listed = await createToken(admin, {
      name: 'one agent',
      scopes,
      expiresInDays: 30,
      agentScope: 'LIST',
      agents: inside.slug,
    });
    const prefixed = await createToken(admin, {
      name: 'ci runners',
      scopes,
      expiresInDays: 30,
      agentScope: 'WORKLOAD_PREFIX',
      workloadPrefix: 'spiffe://corp/ci/',
    });
    for (const { token } of [listed, prefixed]) {
      expect((await post(token, inside.slug)).status).toBe(201);
      const refused = await post(token, outside.slug);
      expect(refused.status).toBe(403);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(JSON.stringify(await refused.json())).toMatch(/does not reach/);
      // Beyond its reach, an agent reads as one that does not exist.
      const one = await getAgent(read(token, `/api/v1/agents/${outside.slug}`), {
        params: Promise.resolve({ slug: outside.slug }),
      });
      const none = await getAgent(read(token, '/api/v1/agents/no-such-agent'), {
        params: Promise.resolve({ slug: 'no-such-agent' }),
      });
      expect(one.status).toBe(404);
      expect((await one.json()).detail).toBe(`No agent with slug ${outside.slug} that this token reaches.`);
      expect((await none.json()).detail).toBe('No agent with slug no-such-agent that this token reaches.');
      const all = await (await listAgents(read(token, '/api/v1/agents?limit=500'))).json();
      expect(all.agents.map((a: { slug: string }) => a.slug)).toEqual([inside.slug]);
      expect((await listEvents(read(token, `/api/v1/events?agent=${outside.slug}`))).status).toBe(403);
      expect((await listEvents(read(token, '/api/v1/events'))).status).toBe(403);
      expect((await listEvents(read(token, `/api/v1/events?agent=${inside.slug}`))).status).toBe(200);
    }
    expect(await getDb().credential.count({ where: { agentId: outside.id } })).toBe(0);
    // An agent moved out of the prefix (its identity changed) is out of reach from then on.
    await getDb().agent.update({ where: { id: inside.id }, data: { workloadIdentity: 'spiffe://corp/prod/x' } });
    expect((await post(prefixed.token, inside.slug)).status).toBe(403);
  });

  it('a token lives at most the policy maximum (90 days by default); unknown agents are named', async () => {
    const admin = await createPerson(['ADMIN']);
    await expect(
      createToken(admin, { name: 'too long', scopes: ['events:write'], expiresInDays: 120 }),
    ).rejects.toMatchObject({ fieldErrors: { expiresInDays: ['At most 90 days.'] } });
    await expect(
      createToken(admin, {
        name: 'ghosts',
        scopes: ['events:write'],
        expiresInDays: 30,
        agentScope: 'LIST',
        agents: 'nope-1',
      }),
    ).rejects.toMatchObject({ fieldErrors: { agents: ['No agent with slug nope-1.'] } });
    await expect(
      createToken(admin, { name: 'short', scopes: ['events:write'], expiresInDays: 30, agentScope: 'WORKLOAD_PREFIX' }),
    ).rejects.toMatchObject({ fieldErrors: { workloadPrefix: [expect.stringMatching(/at least 8 characters/)] } });
  });

  it('a token made under a longer maximum stops once the current maximum has passed', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id });
    const { token, id } = await createToken(admin, { name: 'older', scopes: ['events:write'], expiresInDays: 90 });
    // Made 40 days ago; the policy is now 30 days.
    await getDb().apiToken.update({ where: { id }, data: { createdAt: new Date(Date.now() - 40 * 86_400_000) } });
    await getDb().setting.upsert({
      where: { key: 'apiTokens' },
      create: { key: 'apiTokens', value: { maxDays: 30, eventWindowHours: 24 } },
      update: { value: { maxDays: 30, eventWindowHours: 24 } },
    });
    try {
      const refused = await post(token, agent.slug);
      expect(refused.status).toBe(401);
      expect((await refused.json()).detail).toMatch(/older than the policy allows \(30 days\)/);
    } finally {
      await getDb().setting.update({
        where: { key: 'apiTokens' },
        data: { value: { maxDays: 90, eventWindowHours: 24 } },
      });
    }
  });

  it('an event older than the policy window, or too far ahead, is refused with 422 unless backfilled', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id });
    const { token } = await createToken(admin, { name: 'live', scopes: ['events:write'], expiresInDays: 30 });
    const hours = (h: number) => new Date(Date.now() + h * 3_600_000);
    const old = await post(token, agent.slug, hours(-25));
    expect(old.status).toBe(422);
    expect(JSON.stringify(await old.json())).toMatch(/older than the policy window \(24 hours\).*events:backfill/);
    const ahead = await post(token, agent.slug, hours(0.2));
    expect(ahead.status).toBe(422);
    expect(JSON.stringify(await ahead.json())).toMatch(/more than 5 minutes in the future/);
    expect(await getDb().credential.count({ where: { agentId: agent.id } })).toBe(0);

    const { token: backfill } = await createToken(admin, {
      name: 'history import',
      scopes: ['events:write', 'events:backfill'],
      expiresInDays: 30,
    });
    expect((await post(backfill, agent.slug, hours(-24 * 30))).status).toBe(201);
    const event = await getDb().auditEvent.findFirstOrThrow({
      where: { agentId: agent.id, action: 'credential.issued' },
    });
    expect(event.details).toMatchObject({ backfilled: true });
    expect((await post(backfill, agent.slug, hours(0.2))).status).toBe(422);

    // The window is policy: a security lead tightens it to 1 hour and a 2-hour-old event is refused.
    const settings = await getDb().setting.findUnique({ where: { key: 'apiTokens' } });
    await changeSetting(admin, {
      key: 'apiTokens',
      version: String(settings?.version ?? 0),
      maxDays: '90',
      eventWindowHours: '1',
    });
    try {
      expect((await post(token, agent.slug, hours(-2))).status).toBe(422);
    } finally {
      const now = await getDb().setting.findUniqueOrThrow({ where: { key: 'apiTokens' } });
      await getDb().setting.update({
        where: { key: 'apiTokens' },
        data: { value: { maxDays: 90, eventWindowHours: 24 }, version: now.version + 1 },
      });
    }
  });

  it('the rate limit holds across server instances: its bucket is in the database', async () => {
    const admin = await createPerson(['ADMIN']);
    const { token, id } = await createToken(admin, { name: 'burst', scopes: ['registry:read'], expiresInDays: 1 });
    const first = await Promise.all(
      Array.from({ length: 60 }, () => listAgents(read(token, '/api/v1/agents?limit=1'))),
    );
    expect(first.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    // Another instance drained the bucket (what it left is in the database, two seconds of refill short).
    await getDb().apiRateBucket.update({ where: { tokenId: id }, data: { tokens: -50, at: new Date() } });
    // A second instance: the route and the bearer module loaded afresh, with nothing in memory.
    vi.resetModules();
    const fresh = await import('@/app/api/v1/agents/route');
    const next = await fresh.GET(read(token, '/api/v1/agents?limit=1'));
    expect(next.status).toBe(429);
    expect(Number(next.headers.get('retry-after'))).toBeGreaterThanOrEqual(2);
    expect(await getDb().apiRateBucket.findUnique({ where: { tokenId: id } })).not.toBeNull();
  });

  it('no one can ask for a rate-limit exemption: the token command ignores the field', async () => {
    const admin = await createPerson(['ADMIN']);
    const input = { name: 'asks', scopes: ['registry:read'], expiresInDays: 1, rateLimitExempt: true };
    const { id } = await createToken(admin, input as Parameters<typeof createToken>[1]);
    expect(await getDb().apiToken.findUniqueOrThrow({ where: { id } })).toMatchObject({ rateLimitExempt: false });
  });

  it('a rate-limit exemption written into the database is ignored unless the server is a test server', async () => {
    const admin = await createPerson(['ADMIN']);
    const { token, id } = await createToken(admin, { name: 'exempt', scopes: ['registry:read'], expiresInDays: 1 });
    await getDb().apiToken.update({ where: { id }, data: { rateLimitExempt: true } });
    const burst = () =>
      Promise.all(Array.from({ length: 60 }, () => listAgents(read(token, '/api/v1/agents?limit=1'))));
    expect((await burst()).filter((r) => r.status === 429).length).toBeGreaterThan(0);
    vi.stubEnv('CUSTODIAN_TEST_RATE_EXEMPTION', 'on');
    resetEnvCache();
    try {
      expect((await burst()).every((r) => r.status === 200)).toBe(true);
    } finally {
      vi.unstubAllEnvs();
      resetEnvCache();
    }
  });
});
