// Hostile input over HTTP against the running build: fast-check–generated requests (fixed seed) to every /api/v1
// route and to a sample of server actions. Fails on any answer of 500 or more, any error that is not problem JSON,
// any governed row changed by a refused request, or when under 80% of inputs reach validation (not 401 or 429).
// HOSTILE_PER_ROUTE and HOSTILE_SEED change the run; it needs DATABASE_URL (the governed-row checks read it).
import { createHash, randomBytes } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { fingerprintSql, TABLES_SQL, withoutAuditRecord } from '../lib/testing/fingerprint-sql';
import { DEMO, pageAs } from './fixtures/auth';
import { apiProbes, formSamples, type Probe } from './fixtures/hostile';

const PER_ROUTE = Number(process.env.HOSTILE_PER_ROUTE ?? 2000);
const SEED = Number(process.env.HOSTILE_SEED ?? 20261201);
const ACTION_SAMPLES = 150; // per form
const ALARM = 'input.secret_refused';

test.describe.configure({ timeout: 300_000 });
// In CI a missing DATABASE_URL fails the suite (pg cannot connect) rather than skipping it.
test.skip(
  !process.env.DATABASE_URL && process.env.CI !== 'true',
  'needs DATABASE_URL: the governed-row checks read the database',
);

let db: pg.Client;
test.beforeAll(async () => {
  db = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});
test.afterAll(async () => db?.end());

/** Every table's digest. The alarm a refusal appends (and the chain head it moves), rate buckets, "last used" and
 * the delivery state the notifications job moves in the background (its attempts, a row's status) are not governed
 * rows; which notifications exist is. The dashboard's tallies are compared by the counts they sum to: the fold job
 * replaces their rows with a recount whenever it runs. */
async function governed(): Promise<Record<string, string>> {
  const tables = (await db.query<{ name: string }>(TABLES_SQL)).rows.map((r) => r.name);
  const { rows } = await db.query<Record<string, string>>(fingerprintSql(tables));
  const {
    ApiRateBucket: _b,
    ApiToken: _t,
    Notification: _n,
    NotificationAttempt: _a,
    AgentTally: _at,
    CredentialTally: _ct,
    ...rest
  } = withoutAuditRecord(rows[0]!);
  const sums = (table: string, keys: string) =>
    db.query(`SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) AS d
      FROM (SELECT ${keys}, sum(n) FROM "${table}" GROUP BY ${keys} HAVING sum(n) <> 0) x`);
  const agentTally = await sums('AgentTally', '"status", "riskTier", "complete", "orphaned"');
  const credentialTally = await sums('CredentialTally', '"storage", "issuance"');
  const tokens = await db.query(`SELECT md5(string_agg(x::text, '|' ORDER BY x.id)) AS d
    FROM (SELECT id, "revokedAt", "expiresAt", scopes, "rateLimitExempt" FROM "ApiToken") x`);
  const notifications = await db.query(`SELECT md5(string_agg(x::text, '|' ORDER BY x.id)) AS d
    FROM (SELECT id, "dedupKey", "userId", address, "endpointId", payload FROM "Notification") x`);
  return {
    ...rest,
    ApiToken: tokens.rows[0].d,
    Notification: notifications.rows[0].d,
    AgentTally: agentTally.rows[0].d,
    CredentialTally: credentialTally.rows[0].d,
    AuditEvent: await auditSignature(),
  };
}

/** What a write leaves: audit events other than the alarm, credential and agent rows, idempotency keys. */
async function auditSignature(): Promise<string> {
  const { rows } = await db.query(`SELECT count(*) || ':' || coalesce(max(seq), 0) AS s FROM "AuditEvent"
    WHERE action <> '${ALARM}'`);
  return rows[0].s;
}
async function writeSignature(): Promise<string> {
  const { rows } = await db.query(`SELECT
    (SELECT md5(coalesce(string_agg(c::text, '|' ORDER BY c.id), '')) FROM "Credential" c) || ':' ||
    (SELECT md5(coalesce(string_agg(a.id || ':' || a.version, '|' ORDER BY a.id), '')) FROM "Agent" a) || ':' ||
    (SELECT count(*) FROM "IdempotencyKey") AS s`);
  return `${rows[0].s}:${await auditSignature()}`;
}

/** A token of the seeded security lead, exempt from the rate limit (only a test server honours that). */
async function unlimitedToken(): Promise<string> {
  const token = `cus_${randomBytes(24).toString('base64url')}`;
  await db.query(
    `INSERT INTO "ApiToken" (id, name, "tokenHash", prefix, scopes, "createdById", "expiresAt", "rateLimitExempt")
     SELECT $1, 'hostile-input suite', $2, $3,
       ARRAY['events:write','registry:read','registry:write','audit:read','discovery:import'], id,
       now() + interval '1 day', true FROM "User" WHERE name = $4`,
    [
      `hostile${randomBytes(6).toString('hex')}`,
      createHash('sha256').update(token).digest('hex'),
      token.slice(0, 8),
      DEMO.ADMIN,
    ],
  );
  return token;
}

type Tally = { histogram: Map<number, number>; failures: string[] };
const tally = (): Tally => ({ histogram: new Map(), failures: [] });
const describe = (p: { method: string; path: string }) => `${p.method} ${p.path.slice(0, 100)}`;

/** Records the answer; an error must be problem JSON (431: Node's own header-size refusal, before the app runs). */
async function check(t: Tally, label: string, status: number, type: string) {
  t.histogram.set(status, (t.histogram.get(status) ?? 0) + 1);
  if (status >= 500) t.failures.push(`${status}: ${label}`);
  else if (status >= 400 && status !== 431 && !type.includes('application/problem+json')) {
    t.failures.push(`${status} not problem JSON: ${label}`);
  }
}

/** Node's own fetch: thousands of requests through Playwright's request context would cost minutes in its protocol. */
async function send(baseURL: string, token: string, probe: Probe) {
  const response = await fetch(`${baseURL}${probe.path}`, {
    method: probe.method,
    headers: { authorization: `Bearer ${token}`, ...probe.headers },
    body: probe.body,
    redirect: 'manual',
  });
  await response.arrayBuffer();
  return { status: response.status, type: response.headers.get('content-type') ?? '' };
}

const sorted = (h: Map<number, number>) => Object.fromEntries([...h].sort(([a], [b]) => a - b));

test('every /api/v1 route answers thousands of hostile inputs with 4xx problem JSON and changes nothing', async ({
  baseURL,
}) => {
  const token = await unlimitedToken();
  const { rows } = await db.query<{ slug: string }>(
    `SELECT slug FROM "Agent" WHERE status = 'ACTIVE' AND environments::text[] @> ARRAY['PROD'] LIMIT 1`,
  );
  const probes = apiProbes(rows[0]!.slug, PER_ROUTE, SEED);
  const perRoute = new Map<string, Tally>();
  const all = tally();
  const started = performance.now();
  const before = await governed();

  // Reads, eight at a time: none may change a governed row.
  const reads = probes.filter((p) => p.method === 'GET');
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < reads.length) {
        const probe = reads[next++]!;
        const response = await send(baseURL!, token, probe);
        const t = perRoute.get(probe.route) ?? perRoute.set(probe.route, tally()).get(probe.route)!;
        for (const into of [t, all]) await check(into, describe(probe), response.status, response.type);
      }
    }),
  );
  expect(await governed(), 'a read changed a governed row').toEqual(before);

  // Writes, one at a time, so each refused one is checked on its own: it must leave no trace but the alarm.
  let accepted = 0;
  for (const probe of probes.filter((p) => p.method !== 'GET')) {
    const was = await writeSignature();
    const response = await send(baseURL!, token, probe);
    const t = perRoute.get(probe.route) ?? perRoute.set(probe.route, tally()).get(probe.route)!;
    for (const into of [t, all]) await check(into, describe(probe), response.status, response.type);
    if (response.status === 201) accepted += 1;
    else if ((await writeSignature()) !== was)
      // A registry apply that answers 200 refused every agent in the file: it too must have written nothing.
      all.failures.push(`refused (${response.status}) but wrote: ${describe(probe)}`);
  }
  const after = await governed();
  // Accepted events add custody records (and the dashboard's tally of them) and their audit events; nothing else.
  const added = { Credential: '', CredentialTally: '', IdempotencyKey: '', AuditEvent: '' };
  expect({ ...after, ...added }).toEqual({ ...before, ...added });

  const seconds = (performance.now() - started) / 1000;
  expect(seconds, 'the run stays under 3 minutes').toBeLessThan(180);
  const stopped = (all.histogram.get(401) ?? 0) + (all.histogram.get(429) ?? 0);
  console.log(
    `${probes.length} hostile inputs in ${seconds.toFixed(1)} s (seed ${SEED}); ${accepted} batches accepted`,
  );
  console.log('status histogram:', sorted(all.histogram));
  for (const [route, t] of perRoute) console.log(`  ${route}:`, sorted(t.histogram));
  expect(all.failures.slice(0, 20)).toEqual([]);
  for (const [route, t] of perRoute)
    expect(
      [...t.histogram.values()].reduce((a, b) => a + b),
      route,
    ).toBeGreaterThanOrEqual(
      route.includes('/discovery/')
        ? PER_ROUTE / 8
        : /\/(agents|registry)/.test(route) && !route.startsWith('GET')
          ? PER_ROUTE / 4
          : 500,
    );
  expect((probes.length - stopped) / probes.length, 'share reaching validation').toBeGreaterThanOrEqual(0.8);
  expect(
    accepted,
    'some well-formed batches get through: validation is reached, not a blanket refusal',
  ).toBeGreaterThan(0);
});

/** Submits a form as a person would and keeps the POST it made: the action's id, its headers and its fields. */
async function captureAction(page: Page, path: string, submit: (page: Page) => Promise<void>) {
  await page.goto(path);
  // The browser's own checks would stop an empty form; the server's are the ones under test.
  await page.locator('form').evaluateAll((forms) => forms.forEach((f) => ((f as HTMLFormElement).noValidate = true)));
  const posted = page.waitForRequest((r) => r.method() === 'POST' && !!r.headers()['next-action']);
  await submit(page);
  const request = await posted;
  const headers = request.headers();
  const fields: [string, string][] = [];
  const multipart = request.postDataBuffer()?.toString('utf8') ?? '';
  const boundary = /boundary=(.+)$/.exec(headers['content-type'] ?? '')?.[1];
  for (const part of boundary ? multipart.split(`--${boundary}`) : []) {
    const match = /name="([^"]*)"\r\n\r\n([\s\S]*)\r\n$/.exec(part);
    if (match) fields.push([match[1]!, match[2]!]);
  }
  return { url: request.url(), action: headers['next-action']!, tree: headers['next-router-state-tree'] ?? '', fields };
}

test('server actions answer hostile forms, foreign origins and non-form bodies without a 5xx or a change', async ({
  browser,
  baseURL,
}) => {
  const sam = await pageAs(browser, DEMO.ADMIN);
  const forms = [
    await captureAction(sam, '/agents/new', (p) => p.getByRole('button', { name: 'Register agent' }).click()),
    await captureAction(sam, '/tokens', (p) => p.getByRole('button', { name: 'Create token' }).click()),
  ];
  const t = tally();
  let n = 0;
  let acceptedActions = 0;
  console.log(
    'server actions under test:',
    forms.map((f) => `${f.url} (${f.fields.map(([k]) => k).join(', ')})`),
  );
  for (const [f, form] of forms.entries()) {
    expect(form.fields.length, `fields captured from ${form.url}`).toBeGreaterThan(0);
    for (const fields of formSamples(form.fields, ACTION_SAMPLES, SEED + f)) {
      const before = await governed();
      // Mostly the action as the browser calls it; a tenth each from another site, not a form, posted as a browser
      // without JavaScript would (no Next-Action header, React's field prefix gone), from another site without the
      // header, and with a well-formed argument list that binds no form.
      const variant = n++ % 10;
      const body = new FormData();
      for (const [name, value] of fields) {
        if (variant === 4 && name === '0') continue;
        body.append(variant === 2 || variant === 3 ? name.replace(/^_?\d+_/, '') : name, value);
      }
      if (variant === 4)
        body.append('0', ['[null]', '[]', '[{"ok":false}]', JSON.stringify(Array(1001).fill(0))][n % 4]!);
      const noHeader = variant === 2 || variant === 3;
      const response = await sam.request.fetch(form.url, {
        method: 'POST',
        headers: {
          ...(noHeader ? {} : { 'next-action': form.action, 'next-router-state-tree': form.tree }),
          accept: noHeader ? 'text/html' : 'text/x-component',
          origin: variant === 0 || variant === 3 ? 'https://evil.example' : baseURL!,
          ...(variant === 1 ? { 'content-type': 'text/plain' } : {}),
        },
        ...(variant === 1 ? { data: JSON.stringify(fields) } : { multipart: body }),
        failOnStatusCode: false,
        maxRedirects: 0,
      });
      const text = (await response.body()).toString('utf8');
      const status = response.status();
      t.histogram.set(status, (t.histogram.get(status) ?? 0) + 1);
      if (status >= 500) t.failures.push(`${status}: action ${form.url} ${JSON.stringify(fields).slice(0, 160)}`);
      // The edge's refusals are problem JSON; past it, a page answers as a page (Next.js's 4xx are plain text).
      if (variant === 0 || variant === 1 || variant === 3) {
        expect(status).toBe(variant === 1 ? 415 : 403);
        expect(response.headers()['content-type']).toBe('application/problem+json');
      }
      // The action's answer says whether it did the work ({"ok":true} in the payload, or a redirect); a refused
      // one must have changed nothing.
      const accepted = text.includes('"ok":true') || !!response.headers()['x-action-redirect'];
      if (accepted) acceptedActions += 1;
      else expect(await governed(), `a refused action changed a governed row: ${form.url}`).toEqual(before);
    }
  }
  console.log(
    `server actions: ${n} hostile posts, ${acceptedActions} accepted; status histogram:`,
    sorted(t.histogram),
  );
  expect(t.failures.slice(0, 20)).toEqual([]);
});

test('every /api error is problem JSON: unknown paths, other methods, next-auth’s own refusals', async ({
  request,
}) => {
  const cases: [string, string, number][] = [
    ['GET', '/api/v2/agents', 404],
    ['POST', '/api/v1/nothing/here', 404],
    ['DELETE', '/api/v1/agents', 405],
    ['PUT', '/api/v1/events', 405],
    ['PATCH', '/api/health', 405],
    ['GET', '/api/auth/not-an-action', 400],
    ['DELETE', '/api/auth/session', 405],
    // next-auth's client-log action would write what anyone posts into the server's log: by any method or path.
    ['POST', '/api/auth/_log', 404],
    ['GET', '/api/auth/_log', 404],
    ['POST', '/api/auth/_log/error', 404],
    ['GET', '/api/v1/agents', 401],
  ];
  for (const [method, path, status] of cases) {
    const response = await request.fetch(path, { method, failOnStatusCode: false });
    expect(response.status(), `${method} ${path}`).toBe(status);
    expect(response.headers()['content-type'], `${method} ${path}`).toBe('application/problem+json');
    expect((await response.json()).detail, `${method} ${path}`).toMatch(/\w/);
  }
  expect((await request.delete('/api/v1/agents')).headers()['allow']).toBe('GET, POST');
});
