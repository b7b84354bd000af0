// The issuance gate's own server, over real HTTP on a free port: the same answers as the console's route, the same
// refusals, and a close that answers the requests in flight (their decisions recorded) before it resolves.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lockChainHead } from '@/lib/audit/append';
import { getDb } from '@/lib/db';
import { readyGate } from '@/lib/testing/issuance';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { startGateServer, type GateServer } from './gate-server';

describeWithPostgresServer('the issuance gate’s own server', () => {
  let gate: GateServer;
  let ready: Awaited<ReturnType<typeof readyGate>>;
  const decided = () => getDb().auditEvent.count({ where: { action: 'issuance.decided' } });
  const ask = (init: { token?: string; body?: string; key?: string; method?: string; path?: string } = {}) =>
    fetch(gate.url + (init.path ?? '/api/v1/decisions'), {
      method: init.method ?? 'POST',
      headers: {
        'content-type': 'application/json',
        ...(init.token === '' ? {} : { authorization: `Bearer ${init.token ?? ready.token}` }),
        ...(init.key ? { 'idempotency-key': init.key } : {}),
      },
      body: init.method === 'GET' ? undefined : (init.body ?? JSON.stringify(ready.ask)),
    });

  beforeAll(async () => {
    ready = await readyGate();
    gate = await startGateServer({ port: 0 });
  });
  afterAll(() => gate?.close());

  it('answers and records a decision as the console’s route does, with a request id', async () => {
    const before = await decided();
    const response = await ask();
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await response.json()) as { decision: string; id: string; seq: string };
    expect(body.decision).toBe('allow');
    expect(await decided()).toBe(before + 1);
    const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: BigInt(body.seq) } });
    expect(event).toMatchObject({ action: 'issuance.decided', agentId: ready.agent.id, actorId: ready.tokenId });
  });

  it('a retry with the same Idempotency-Key gets the first answer, and records nothing twice', async () => {
    const first = (await (await ask({ key: 'gate-server-retry-1' })).json()) as { id: string };
    const before = await decided();
    const again = (await (await ask({ key: 'gate-server-retry-1' })).json()) as { id: string };
    expect(again.id).toBe(first.id);
    expect(await decided()).toBe(before);
  });

  it('refuses what the console refuses, and answers nothing else', async () => {
    const before = await decided();
    const cases: [Parameters<typeof ask>[0], number, RegExp][] = [
      [{ token: '' }, 401, /Send an API token/],
      [{ token: 'cst_not-a-token' }, 401, /Unknown API token/],
      [{ body: '{"workloadIdentity": ' }, 400, /not valid JSON/],
      [{ body: JSON.stringify({ ...ready.ask, ttlSeconds: -1 }) }, 422, /time-to-live/],
      [{ method: 'GET' }, 405, /answers POST only/],
      [{ path: '/api/v1/agents' }, 404, /issuance gate only/],
      [{ path: '/api/v1/decisions/../agents' }, 404, /issuance gate only/],
    ];
    for (const [init, status, detail] of cases) {
      const response = await ask(init);
      expect(response.status, JSON.stringify(init)).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
    }
    const hostile = await fetch(gate.url + '/api/v1/decisions', {
      method: 'POST',
      headers: { authorization: `Bearer ${ready.token}`, 'content-type': 'application/json', 'x-note': 'a\u0000b' },
      body: JSON.stringify(ready.ask),
    }).catch(() => null);
    // fetch itself refuses a NUL in a header; either way nothing is decided.
    if (hostile) expect(hostile.status).toBe(400);
    const huge = await ask({ body: JSON.stringify({ ...ready.ask, task: 'x'.repeat(5 * 1024 * 1024) }) });
    expect(huge.status).toBe(413);
    expect(await decided()).toBe(before);
    expect((await fetch(gate.url + '/api/health')).status).toBe(200);
  });

  it('closing answers the requests in flight first, their decisions recorded', async () => {
    const own = await startGateServer({ port: 0 });
    const before = await decided();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // Another writer holds the chain head: the decision waits to be recorded while the server is asked to close.
    const holder = getDb().$transaction(
      async (tx) => {
        await lockChainHead(tx);
        await held;
      },
      { timeout: 30_000 },
    );
    await new Promise((r) => setTimeout(r, 200));
    const inFlight = fetch(own.url + '/api/v1/decisions', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ready.token}` },
      body: JSON.stringify(ready.ask),
    });
    await new Promise((r) => setTimeout(r, 300));
    let closed = false;
    const closing = own.close().then(() => (closed = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(closed).toBe(false);
    // A new connection is refused once closing has begun.
    await expect(fetch(own.url + '/api/health')).rejects.toThrow();
    release();
    await holder;
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(((await response.json()) as { decision: string }).decision).toBe('allow');
    await closing;
    expect(await decided()).toBe(before + 1);
  });
});
