// The issuance gate's own server, over real HTTP on a free port: the same answers as the console's route, the same
// refusals, and a close that answers the requests in flight (their decisions recorded) before it resolves.
import net from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { lockChainHead } from '@/lib/audit/append';
import { getDb } from '@/lib/db';
import { changeSetting } from '@/lib/settings/commands';
import { postDecisionAs, readyGate } from '@/lib/testing/issuance';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { createToken } from '@/lib/tokens/commands';
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
    ];
    for (const [init, status, detail] of cases) {
      const response = await ask(init);
      expect(response.status, JSON.stringify(init)).toBe(status);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(((await response.json()) as { detail: string }).detail).toMatch(detail);
    }
    const huge = await ask({ body: JSON.stringify({ ...ready.ask, task: 'x'.repeat(65 * 1024) }) });
    expect(huge.status).toBe(413);
    const text = await ask({ body: 'workloadIdentity=x' }).then(() =>
      fetch(gate.url + '/api/v1/decisions', {
        method: 'POST',
        headers: { authorization: `Bearer ${ready.token}`, 'content-type': 'text/plain' },
        body: JSON.stringify(ready.ask),
      }),
    );
    expect(text.status).toBe(415);
    expect(await decided()).toBe(before);
    expect((await fetch(gate.url + '/api/health')).status).toBe(200);
  });

  it('a token scoped to other agents gets 403 from the gate as from the route, and nothing is recorded', async () => {
    const elsewhere = await readyGate();
    const { token, id } = await createToken(ready.admin, {
      name: 'gate-server-other-broker',
      scopes: ['decisions:check'],
      expiresInDays: 30,
      agentScope: 'LIST',
      agents: elsewhere.slug,
    });
    const before = await getDb().auditEvent.count();
    const response = await ask({ token });
    expect(response.status).toBe(403);
    expect(((await response.json()) as { detail: string }).detail).toMatch(/does not reach the agent/);
    // The same token is good for the agent it names: the refusal is the scope, not the token.
    expect((await ask({ token, body: JSON.stringify(elsewhere.ask) })).status).toBe(200);
    expect(await getDb().auditEvent.count()).toBe(before + 1);
    const byToken = await getDb().issuanceDecision.findMany({ where: { tokenId: id }, select: { agentId: true } });
    expect(byToken).toEqual([{ agentId: elsewhere.agent.id }]);
  });

  it('a request line or header no route can mean is refused, and the server keeps answering', async () => {
    const before = await decided();
    // Sent as bytes on a socket: fetch would normalise the path or refuse the header before it left.
    const cases: [string | Buffer, number][] = [
      ['GET //a:99999/ HTTP/1.1', 404],
      ['GET //[ HTTP/1.1', 404],
      ['GET /api/v1/decisions/../agents HTTP/1.1', 404],
      ['GET /%ff HTTP/1.1', 400],
      ['OPTIONS * HTTP/1.1', 400],
      ['POST /api/v1/decisions?x=%00 HTTP/1.1', 400],
    ];
    for (const [line, status] of cases) {
      const answer = await rawRequest(gate.url, `${line}\r\nHost: gate\r\nConnection: close\r\n\r\n`);
      expect(answer, String(line)).toMatch(new RegExp(`^HTTP/1.1 ${status} `));
      expect(answer).toContain('application/problem+json');
    }
    // Invalid UTF-8 in a header value (HTTP passes the bytes on): refused as the console's proxy refuses it.
    const badHeader = Buffer.concat([
      Buffer.from(`POST /api/v1/decisions HTTP/1.1\r\nHost: gate\r\nConnection: close\r\nX-Note: `),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(
        `\r\nAuthorization: Bearer ${ready.token}\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`,
      ),
    ]);
    const refused = await rawRequest(gate.url, badHeader);
    expect(refused).toMatch(/^HTTP\/1.1 400 /);
    expect(refused).toContain('invalid UTF-8');
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
    // Answered with Connection: close, so a balancer does not send the next request down the same connection.
    expect(response.headers.get('connection')).toBe('close');
    expect(((await response.json()) as { decision: string }).decision).toBe('allow');
    await closing;
    expect(await decided()).toBe(before + 1);
  });

  it('a broker meets the same body limit through the console’s route', async () => {
    const huge = await postDecisionAs(ready.token, { ...ready.ask, task: 'x'.repeat(65 * 1024) });
    expect(huge.status).toBe(413);
  });

  // Last: it tightens the policy for the rest of this file's database.
  it('a broker cannot double its decision rate by asking through both doors: one bucket per token', async () => {
    await changeSetting(ready.admin, { key: 'decisionRatePerSecond', version: '0', value: '1' });
    // A burst of two through the console's route empties the bucket; the gate's own server then refuses too.
    const console = [await postDecisionAs(ready.token, ready.ask), await postDecisionAs(ready.token, ready.ask)];
    expect(console.map((r) => r.status)).toContain(200);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await ask()).status);
    expect(statuses).toContain(429);
    const limited = await ask();
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { detail: string }).detail).toMatch(/at most 1 decisions a second per token/);
  });
});

/** Sends bytes as they are and reads the answer until the server closes the connection. */
function rawRequest(url: string, bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.write(bytes);
  });
}
