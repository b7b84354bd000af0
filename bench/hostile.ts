// `npm run bench:hostile -- --url http://127.0.0.1:3000 [--per-route 2500] [--seed 20261201]`
// Sends fast-check–generated hostile input to every /api/v1 route of a running
// build, prints a status histogram, and fails (exit 1) on any 5xx, any error
// that is not problem JSON, any governed row changed by a refused request, or
// when fewer than 80% of inputs reach validation (not stopped at 401/429).
// It creates its own API tokens in the server's database (one per 25 requests
// a second it sends), so the rate limit does not swallow the inputs.
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { registerAgent } from '@/lib/agents/commands';
import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createToken } from '@/lib/tokens/commands';

type Probe = { method: 'GET' | 'POST'; path: string; body?: string; contentType?: string };

const hostileString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    '\udfff',
    '%00',
    '%ff',
    '%E0%A4%A',
    '../../etc/passwd',
    "' OR 1=1 --",
  ),
  // A token-shaped value built at run time: no real-looking token sits in the repository.
  fc.constantFrom(`ghp_${'aB3dE'.repeat(7)}x`, 'x'.repeat(5000), '🚀'.repeat(300), '{"$ne":null}'),
);
const jsonValue = fc.jsonValue({ maxDepth: 3 });
const enc = (s: string) => {
  try {
    return encodeURIComponent(s);
  } catch {
    return s;
  }
};

function probes(slug: string, perRoute: number, seed: number): Probe[] {
  const query = fc.dictionary(
    fc.constantFrom('limit', 'after', 'status', 'riskTier', 'agent', 'size', 'before', 'q', 'x'),
    hostileString,
  );
  const asQuery = (q: Record<string, string>) =>
    Object.entries(q)
      .map(([k, v]) => `${k}=${enc(v)}`)
      .join('&');
  const event = fc.record({
    type: fc.oneof(fc.constantFrom('credential.issued', 'credential.used', 'credential.rotated'), hostileString),
    agent: fc.oneof(fc.record({ slug: fc.oneof(fc.constant(slug), hostileString) }), jsonValue),
    credential: fc.oneof(fc.record({ name: hostileString }), jsonValue),
    occurredAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      hostileString,
    ),
    context: hostileString,
  });
  const body = fc.oneof(
    fc.record({ events: fc.array(event, { maxLength: 3 }) }).map((b) => JSON.stringify(b)),
    jsonValue.map((v) => JSON.stringify(v)),
    hostileString,
  );
  const opts = { seed, numRuns: perRoute };
  return [
    ...fc.sample(query, opts).map((q): Probe => ({ method: 'GET', path: `/api/v1/agents?${asQuery(q)}` })),
    ...fc.sample(hostileString, opts).map((s): Probe => ({ method: 'GET', path: `/api/v1/agents/${enc(s) || 'x'}` })),
    ...fc
      .sample(query, { ...opts, seed: seed + 1 })
      .map((q): Probe => ({ method: 'GET', path: `/api/v1/events?${asQuery(q)}` })),
    ...fc
      .sample(fc.tuple(body, fc.constantFrom('application/json', 'application/json', 'text/plain', '')), opts)
      .map(([b, contentType]): Probe => ({ method: 'POST', path: '/api/v1/events', body: b, contentType })),
  ];
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      'per-route': { type: 'string', default: '2500' },
      seed: { type: 'string', default: '20261201' },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const db = getDb();
  const admin = await db.user.findFirst({
    where: { active: true, roles: { has: 'ADMIN' } },
    select: { id: true, name: true, email: true, roles: true },
  });
  if (!admin) throw new Error('No active ADMIN in this database: seed it first (npm run db:seed).');
  const slug = `hostile-${Date.now().toString(36)}`;
  await registerAgent(admin, {
    slug,
    name: 'Hostile input target',
    kind: 'CI_AGENT',
    environments: ['PROD'],
    riskTier: 'LOW',
    ownerId: admin.id,
  });
  const tokens = await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      createToken(admin, {
        name: `${slug}-${i}`,
        scopes: ['events:write', 'registry:read', 'audit:read'],
        expiresInDays: 1,
      }).then((t) => t.token),
    ),
  );
  const all = probes(slug, Number(values['per-route']), Number(values.seed));
  const before = await databaseFingerprint();
  const histogram = new Map<number, number>();
  const failures: string[] = [];
  let accepted = 0;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < all.length) {
      const i = next++;
      const probe = all[i]!;
      const response = await fetch(`${values.url}${probe.path}`, {
        method: probe.method,
        headers: {
          authorization: `Bearer ${tokens[i % tokens.length]}`,
          ...(probe.contentType ? { 'content-type': probe.contentType } : {}),
        },
        body: probe.body,
      }).catch((error: Error) => ({ status: 599, headers: new Headers(), text: async () => error.message }));
      histogram.set(response.status, (histogram.get(response.status) ?? 0) + 1);
      if (response.status < 300) accepted += probe.method === 'POST' ? 1 : 0;
      const type = response.headers.get('content-type') ?? '';
      if (response.status >= 500) failures.push(`${response.status} ${probe.method} ${probe.path.slice(0, 120)}`);
      // 431: a request line or headers over Node's 16 KiB limit, refused by its HTTP parser before the app runs.
      else if (response.status >= 400 && response.status !== 431 && !type.includes('application/problem+json'))
        failures.push(`${response.status} not problem JSON: ${probe.method} ${probe.path.slice(0, 120)}`);
      await response.text();
    }
  };
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  const seconds = (performance.now() - started) / 1000;
  const after = await databaseFingerprint();
  // Accepted events legitimately add custody records; refused requests must change nothing governed.
  const governed = (f: Record<string, string>) => {
    const { AuditEvent: _e, Credential: _c, ApiToken: _t, IdempotencyKey: _k, ...rest } = f;
    return JSON.stringify(rest);
  };
  if (governed(before) !== governed(after)) failures.push('governed rows changed');
  const stopped = (histogram.get(401) ?? 0) + (histogram.get(429) ?? 0);
  const reached = (all.length - stopped) / all.length;
  console.log(`${all.length} hostile inputs in ${seconds.toFixed(1)} s (seed ${values.seed})`);
  console.log('status histogram:', Object.fromEntries([...histogram].sort(([a], [b]) => a - b)));
  console.log(`reached validation: ${(reached * 100).toFixed(1)}%; accepted batches: ${accepted}`);
  if (reached < 0.8) failures.push(`only ${(reached * 100).toFixed(1)}% reached validation`);
  for (const f of failures.slice(0, 20)) console.log('FAIL', f);
  return failures.length > 0 ? 1 : 0;
}

if (import.meta.filename === process.argv[1]) runScript(main);
