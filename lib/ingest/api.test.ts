import { describe, expect, it } from 'vitest';
import { GET as getAgent } from '@/app/api/v1/agents/[slug]/route';
import { GET as listAgents } from '@/app/api/v1/agents/route';
import { GET as listEvents, POST as postEvents } from '@/app/api/v1/events/route';
import { GET as openapi } from '@/app/api/v1/openapi.json/route';
import { getDb } from '@/lib/db';
import { makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { withoutAuditRecord } from '@/lib/testing/fingerprint-sql';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { createToken, revokeToken } from '@/lib/tokens/commands';

const URL_EVENTS = 'http://localhost/api/v1/events';

async function setup(scopes = ['events:write', 'registry:read', 'audit:read']) {
  const admin = await createPerson(['ADMIN']);
  const slug = `ingest-${Math.random().toString(36).slice(2, 8)}`;
  const agent = await makeAgent(admin, {
    ownerId: admin.id,
    slug,
    workloadIdentity: `spiffe://example.com/agents/${slug}`,
  });
  const { token, id } = await createToken(admin, { name: `broker-${slug}`, scopes, expiresInDays: 30 });
  return { admin, agent, slug, token, tokenId: id };
}

const post = (token: string | null, body: unknown, options: { query?: string; key?: string; raw?: string } = {}) =>
  postEvents(
    new Request(`${URL_EVENTS}${options.query ?? ''}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(options.key ? { 'idempotency-key': options.key } : {}),
      },
      body: options.raw ?? JSON.stringify(body),
    }),
  );

const now = () => new Date().toISOString();
const issued = (slug: string, name: string) => ({
  type: 'credential.issued',
  agent: { slug },
  credential: {
    name,
    kind: 'OAUTH_TOKEN',
    issuance: 'DYNAMIC',
    storage: 'VAULT_OR_BROKER',
    environment: 'PROD',
    secretRef: `vault:kv/prod/${slug}/${name}`,
    maxTtlSeconds: 900,
  },
  occurredAt: now(),
});
const event = (type: string, slug: string, name: string, extra: Record<string, unknown> = {}) => ({
  type,
  agent: { slug },
  credential: { name },
  occurredAt: now(),
  ...extra,
});

describe('the ingest API', () => {
  it(
    'records a batch: issue, use, rotate, revoke, and a use ' + 'after revocation kept as evidence and marked',
    async () => {
      const { slug, token, tokenId, agent } = await setup();
      const response = await post(token, {
        events: [
          issued(slug, 'lease-a'),
          event('credential.used', slug, 'lease-a', { context: 'deploy 4121' }),
          event('credential.rotated', slug, 'lease-a'),
          event('credential.revoked', slug, 'lease-a', { reason: 'Lease ended' }),
          event('credential.used', slug, 'lease-a', { context: 'late retry' }),
        ],
      });
      expect(response.status).toBe(201);
      const body = await response.json();
      expect(body).toMatchObject({ accepted: 5, rejected: [] });
      const events = await getDb().auditEvent.findMany({
        where: { agentId: agent.id, actorType: 'API_TOKEN' },
        orderBy: { seq: 'asc' },
      });
      expect(events.map((e) => e.action)).toEqual([
        'credential.issued',
        'credential.used',
        'credential.rotated',
        'credential.revoked',
        'credential.used',
      ]);
      expect(events.every((e) => e.actorId === tokenId)).toBe(true);
      expect(events[4]!.details).toMatchObject({ afterRevocation: true, context: 'late retry' });
      const credential = await getDb().credential.findFirstOrThrow({ where: { agentId: agent.id, name: 'lease-a' } });
      expect(credential).toMatchObject({
        issuance: 'DYNAMIC',
        secretRef: `vault:kv/prod/${slug}/lease-a`,
        revokeReason: 'Lease ended',
      });
      expect(body.events.map((e: { seq: string }) => e.seq)).toEqual(events.map((e) => e.seq.toString()));
      // Agents can be named by workload identity too.
      const byIdentity = await post(token, {
        events: [
          {
            ...event('credential.used', slug, 'lease-a'),
            agent: { workloadIdentity: `spiffe://example.com/agents/${slug}` },
          },
        ],
      });
      expect(byIdentity.status).toBe(201);
    },
  );

  it('answers every failure with problem JSON and the right status, changing nothing', async () => {
    const { slug, token, admin, tokenId, agent } = await setup();
    const { token: readOnly } = await createToken(admin, {
      name: 'reader',
      scopes: ['registry:read'],
      expiresInDays: 1,
    });
    const before = await databaseFingerprint();
    const expectProblem = async (response: Response, status: number, detail: RegExp) => {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect((await response.json()).detail).toMatch(detail);
    };
    await expectProblem(await post(null, { events: [] }), 401, /Send an API token/);
    await expectProblem(await post('cst_not-a-token', { events: [] }), 401, /Unknown API token/);
    await expectProblem(await post(readOnly, { events: [issued(slug, 'x')] }), 403, /lacks the events:write scope/);
    await expectProblem(await post(token, null, { raw: '{"events": [' }), 400, /not valid JSON/);
    await expectProblem(
      await post(token, { events: [{ type: 'credential.stolen' }] }),
      400,
      /does not match the schema/,
    );
    await expectProblem(
      await post(token, { events: Array.from({ length: 1001 }, () => issued(slug, 'x')) }),
      413,
      /At most 1000 events/,
    );
    // A secret value in any text field is refused before anything is stored.
    await expectProblem(
      await post(token, {
        events: [event('credential.used', slug, 'x', { context: 'token=ghp_abcdefghijklmnopqrstuvwxyz0123456789' })],
      }),
      422,
      /looks like a secret was sent in events\.0\.context/,
    );
    // One bad event refuses the whole batch (all-or-nothing).
    const mixed = {
      events: [
        issued(slug, 'ok-lease'),
        event('credential.used', 'no-such-agent', 'x'),
        event('credential.rotated', slug, 'never-issued'),
      ],
    };
    const refused = await post(token, mixed);
    expect(refused.status).toBe(422);
    expect((await refused.json()).errors).toEqual([
      { index: 1, status: 404, detail: 'No agent with slug no-such-agent.' },
      { index: 2, status: 404, detail: `No credential never-issued on ${slug}.` },
    ]);
    const unchanged = await databaseFingerprint();
    // Only "last used" and the rate bucket moved, and the refused secret left its alarm (no value) on the timeline.
    const moved = { ApiToken: undefined, ApiRateBucket: undefined };
    expect({ ...withoutAuditRecord(unchanged), ...moved }).toEqual({ ...withoutAuditRecord(before), ...moved });
    const alarm = await getDb().auditEvent.findFirstOrThrow({ where: { action: 'input.secret_refused' } });
    expect(alarm).toMatchObject({
      actorType: 'API_TOKEN',
      agentId: agent.id,
      details: { fields: [{ field: 'events.0.context' }] },
    });
    expect(JSON.stringify(alarm.details)).not.toContain('ghp_');
    // ?partial=true records the valid ones and lists the rest.
    const partial = await post(token, mixed, { query: '?partial=true' });
    expect(partial.status).toBe(200);
    expect(await partial.json()).toMatchObject({ accepted: 1, rejected: [{ index: 1 }, { index: 2 }] });
    // Expired and revoked tokens.
    await revokeToken(admin, { tokenId, version: 1 });
    await expectProblem(await post(token, { events: [issued(slug, 'y')] }), 401, /revoked/);
    const { token: stale, id: staleId } = await createToken(admin, {
      name: 'stale',
      scopes: ['events:write'],
      expiresInDays: 1,
    });
    await getDb().apiToken.update({ where: { id: staleId }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectProblem(await post(stale, { events: [issued(slug, 'y')] }), 401, /expired/);
  });

  it(
    'is idempotent with an Idempotency-Key: a retried batch records nothing twice; a different batch under the ' +
      'same key is a conflict',
    async () => {
      const { slug, token, agent } = await setup();
      const batch = { events: [issued(slug, 'idem-lease'), event('credential.used', slug, 'idem-lease')] };
      const first = await post(token, batch, { key: 'batch-0001' });
      expect(first.status).toBe(201);
      const firstBody = await first.json();
      const retry = await post(token, batch, { key: 'batch-0001' });
      expect(retry.status).toBe(201);
      expect(await retry.json()).toEqual(firstBody);
      expect(await getDb().auditEvent.count({ where: { agentId: agent.id, actorType: 'API_TOKEN' } })).toBe(2);
      const other = await post(
        token,
        { events: [event('credential.used', slug, 'idem-lease')] },
        { key: 'batch-0001' },
      );
      expect(other.status).toBe(409);
      expect((await post(token, batch, { key: 'bad key with spaces' })).status).toBe(400);
    },
  );

  it("a cursor past PostgreSQL's bigint is no cursor, not a 500", async () => {
    const { token } = await setup();
    for (const cursor of ['before=9999999999999999999', 'newer=9223372036854775808', 'before=abc']) {
      const response = await listEvents(
        new Request(`${URL_EVENTS}?${cursor}`, { headers: { authorization: `Bearer ${token}` } }),
      );
      expect(response.status, cursor).toBe(200);
    }
  });

  it('an Idempotency-Key that looks like a secret is refused like a field: nothing stored, one alarm', async () => {
    const { slug, token, agent, tokenId } = await setup();
    // Built at run time: no real-looking token sits in the repository.
    const key = `ghp_${'aB3dE'.repeat(7)}x`;
    const before = await getDb().idempotencyKey.count();
    const response = await post(token, { events: [issued(slug, 'keyed')] }, { key });
    expect(response.status).toBe(422);
    const body = await response.json();
    expect(body.errors).toEqual([expect.objectContaining({ path: 'Idempotency-Key' })]);
    expect(JSON.stringify(body)).not.toContain(key);
    expect(await getDb().idempotencyKey.count()).toBe(before);
    expect(await getDb().credential.count({ where: { agentId: agent.id, name: 'keyed' } })).toBe(0);
    const alarm = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'input.secret_refused', actorId: tokenId },
    });
    // Field and rule only: the value is nowhere in the alarm.
    expect(alarm.details).toEqual({ fields: [{ field: 'Idempotency-Key', ruleId: expect.any(String) }] });
  });

  it(
    'serves the registry and the timeline to tokens with read scopes, by keyset; 404 for an unknown agent; 429 ' +
      'past the rate limit',
    async () => {
      const { slug, token, admin } = await setup();
      const auth = (t: string) => ({ headers: { authorization: `Bearer ${t}` } });
      const agents = await (
        await listAgents(new Request('http://localhost/api/v1/agents?limit=1', auth(token)))
      ).json();
      expect(agents.agents).toHaveLength(1);
      expect(agents.next).toBe(agents.agents[0].slug);
      const one = await getAgent(new Request(`http://localhost/api/v1/agents/${slug}`, auth(token)), {
        params: Promise.resolve({ slug }),
      });
      expect(await one.json()).toMatchObject({ slug, owner: { name: admin.name } });
      const missing = await getAgent(new Request('http://localhost/api/v1/agents/nope', auth(token)), {
        params: Promise.resolve({ slug: 'nope' }),
      });
      expect(missing.status).toBe(404);
      const events = await (await listEvents(new Request(`${URL_EVENTS}?agent=${slug}&size=25`, auth(token)))).json();
      expect(events.events.map((e: { action: string }) => e.action)).toEqual(['owner.assigned', 'agent.created']);
      // A bad query parameter is invalid input: 422 problem JSON naming the field, like every Invalid.
      const badLimit = await listAgents(new Request('http://localhost/api/v1/agents?limit=9999', auth(token)));
      expect(badLimit.status).toBe(422);
      expect((await badLimit.json()).errors[0].path).toBe('limit');

      const { token: burst } = await createToken(admin, { name: 'burst', scopes: ['registry:read'], expiresInDays: 1 });
      // 120 requests at once: past the burst of 50 however slow the machine is.
      const responses = await Promise.all(
        Array.from({ length: 120 }, () =>
          listAgents(new Request('http://localhost/api/v1/agents?limit=1', auth(burst))),
        ),
      );
      const limited = responses.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]!.headers.get('content-type')).toBe('application/problem+json');
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    },
  );

  it('publishes an OpenAPI 3.1 document generated from the same schemas', async () => {
    const doc = await (await openapi(new Request('http://localhost/api/v1/openapi.json'))).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.schemas.IngestBatch.properties.events.maxItems).toBe(1000);
    expect(doc.components.schemas.IngestBatch.properties.events.items.properties.type.enum).toEqual([
      'credential.issued',
      'credential.used',
      'credential.rotated',
      'credential.revoked',
    ]);
    expect(Object.keys(doc.paths['/api/v1/events'].post.responses).sort()).toEqual([
      '200',
      '201',
      '400',
      '401',
      '403',
      '409',
      '413',
      '422',
      '429',
    ]);
  });
});

describeWithPostgresServer('ingest under concurrency', () => {
  it('two simultaneous deliveries of the same batch under one Idempotency-Key record it once', async () => {
    const { slug, token, agent } = await setup();
    const batch = {
      events: Array.from({ length: 50 }, (_, i) =>
        i === 0 ? issued(slug, 'race-lease') : event('credential.used', slug, 'race-lease'),
      ),
    };
    const [a, b] = await Promise.all([post(token, batch, { key: 'race-1' }), post(token, batch, { key: 'race-1' })]);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(await a.json()).toEqual(await b.json());
    expect(await getDb().auditEvent.count({ where: { agentId: agent.id, actorType: 'API_TOKEN' } })).toBe(50);
  });
});
