// `npm run bench [-- --url http://127.0.0.1:3000]`: against the database at
// DATABASE_URL (a scale dataset: `npm run db:seed:scale`), times each hot
// path's domain query beside a hand-written SQL floor, the chain verification
// and the export; with --url (a production server on the same database,
// started with the same NEXTAUTH_SECRET), also HTTP latencies at a fixed rate
// and ingest throughput, and the issuance gate's API at 50, 100 and 200 requests
// a second. --skip-verify and --export-one-agent shorten a run on a big dataset;
// --gate-only times the issuance gate alone; --skip-import leaves out the bulk
// import of 10,000 agents (which stay). --instances 3 starts that many
// `next start` instances of the production build behind nginx and takes every
// HTTP row through it, after a browser journey (sign-in, a server action, a
// download) that must work whichever instance answers; nginx sends the decision
// API to the gate's own server (`npm run gate`), as a deployment would. Prints one table and
// writes bench/results.json.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { encode } from 'next-auth/jwt';
import { Pool } from 'pg';
import { agentCursor } from '@/lib/agents/list';
import { parseTimelineQuery } from '@/lib/audit';
import { exportTimeline } from '@/lib/audit/export';
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { syncFindings } from '@/lib/policy/trend';
import { createToken } from '@/lib/tokens/commands';
import { startCluster, type Cluster } from './cluster';
import { importTimes } from './import';
import { ingestThroughput } from './ingest';
import { allowedAsk, decisionCase, decisionRates, type RateRow } from './issuance';
import { journeyThroughBalancer, type JourneyResult } from './journey';
import { paced, ROW_SECONDS, type PacedResult } from './paced';
import { pageBytes, type PageBytes } from './page-bytes';
import { pageWeights } from './page-weight';
import { queryCases, sampleRow50k } from './queries';
import { settleDatabase } from './settle';
import { printVerification, verificationRows } from './verification';

const RUNS = 15;
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

async function time(fn: () => Promise<unknown>, runs = RUNS): Promise<{ p50: number; p99: number }> {
  await fn();
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { p50: percentile(samples, 50), p99: percentile(samples, 99) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string' },
      'ingest-events': { type: 'string', default: '100000' },
      'export-one-agent': { type: 'boolean' },
      'skip-verify': { type: 'boolean' },
      'gate-only': { type: 'boolean' },
      'skip-import': { type: 'boolean' },
      instances: { type: 'string' },
    },
  });
  if (values.instances && !/^[1-9]$/.test(values.instances)) throw new Error('--instances takes a number from 1 to 9.');
  // A running deployment has synced its findings: a dataset just loaded has not, and its first sync (96 s of a core at
  // 100k agents) would otherwise start with the worker and run beside the rows.
  const started = performance.now();
  const synced = await syncFindings(getDb(), new Date(), { unlessWithinMs: 5 * 60_000 });
  const took = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    synced ? `Findings synced in ${took} s (${synced.open} open).` : 'Findings synced in the last 5 minutes.',
  );
  const cluster = values.instances
    ? await startCluster(Number(values.instances), { ...process.env, AUTH_DEMO: 'true' })
    : null;
  try {
    return await measure(values, cluster);
  } finally {
    await cluster?.stop();
  }
}

type Options = {
  url?: string;
  'ingest-events': string;
  'export-one-agent'?: boolean;
  'skip-verify'?: boolean;
  'gate-only'?: boolean;
  'skip-import'?: boolean;
  instances?: string;
};

async function measure(values: Options, cluster: Cluster | null): Promise<number> {
  if (cluster) values.url = cluster.url;
  // A pool, as the app has: a floor's statements run side by side like the domain query's.
  const pg = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  // For floors of statements the app runs prepared with their generic plan (the hot path's pool does the same).
  const generic = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: 1,
    options: '-c plan_cache_mode=force_generic_plan',
  });
  const db = getDb();
  const admin = await db.user.findFirst({
    where: { active: true, roles: { has: 'ADMIN' } },
    orderBy: { id: 'asc' },
    select: { id: true, name: true, email: true, roles: true },
  });
  if (!admin) throw new Error('No active ADMIN: seed the database first.');
  const actor: Actor = admin;
  const agent = await db.agent.findFirstOrThrow({
    where: { status: 'ACTIVE', ownerId: { not: null } },
    orderBy: { slug: 'asc' },
    select: { id: true, slug: true, ownerId: true },
  });
  const head = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  const [agents, events] = [await db.agent.count(), Number(head.seq)];
  console.log(`Dataset: ${agents.toLocaleString('en')} agents, ${events.toLocaleString('en')} events.`);

  const rows: { path: string; p50: number; p99: number; floorP50: number | null; ratio: number | null }[] = [];
  const gateOnly = Boolean(values['gate-only']);
  const row50k = await sampleRow50k(pg);
  // The findings sync above (or the load before it) wrote hundreds of thousands of rows: autovacuum would catch up
  // with them beside the query rows, on the same two cores.
  reportSettled(await settleDatabase(pg), 'the findings sync or the load');
  const ask = await allowedAsk();
  const cases = [
    ...(gateOnly
      ? []
      : queryCases(
          actor,
          pg,
          {
            slug: agent.slug,
            agentId: agent.id,
            ownerId: agent.ownerId!,
            headSeq: head.seq,
            row50k,
          },
          generic,
        )),
    decisionCase(pg, ask),
  ];
  for (const c of cases) {
    await c.warm?.();
    const domain = await time(c.domain, c.runs);
    const floor = c.floor ? await time(c.floor, c.runs) : null;
    rows.push({
      path: c.name,
      p50: domain.p50,
      p99: domain.p99,
      floorP50: floor?.p50 ?? null,
      ratio: floor ? domain.p50 / Math.max(0.01, floor.p50) : null,
    });
    process.stdout.write('.');
  }
  console.log();

  const throughput: Record<string, number> = {};
  // With the server's key: every head signature and checkpoint is checked, as "Verify now" does.
  const verification = !values['skip-verify'] && !gateOnly ? await verificationRows(db) : [];

  // Export throughput and the memory it takes, counting lines as they stream.
  const exportRun = async (format: 'ndjson' | 'csv', query: Record<string, string>) => {
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    let lines = 0;
    const started = performance.now();
    const reader = (await exportTimeline(actor, parseTimelineQuery(query), format)).getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (let i = value.indexOf(10); i !== -1; i = value.indexOf(10, i + 1)) lines += 1;
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    return {
      perSecond: Math.round(lines / ((performance.now() - started) / 1000)),
      rssGrowthMb: Math.round((rssPeak - rssBefore) / 2 ** 20),
      lines,
    };
  };
  if (!gateOnly) {
    const whole: Record<string, string> = values['export-one-agent'] ? { agent: agent.slug } : {};
    // One agent's export takes a fraction of a second, and its first run carries V8 compiling the export's code
    // (NDJSON of 4,709 events: 823 ms cold, 180–200 ms warm): one untimed run of each format first, as on a server
    // that has served a few. The whole chain's is long enough to carry it.
    if (values['export-one-agent']) for (const format of ['ndjson', 'csv'] as const) await exportRun(format, whole);
    const ndjson = await exportRun('ndjson', whole);
    throughput[`NDJSON export, ${values['export-one-agent'] ? 'one agent' : 'whole chain'} (events/s)`] =
      ndjson.perSecond;
    throughput['NDJSON export RSS growth (MB)'] = ndjson.rssGrowthMb;
    // CSV describes each event in a sentence (names looked up): measured on one agent's events.
    throughput['CSV export, one agent (events/s)'] = (await exportRun('csv', { agent: agent.slug })).perSecond;
  }

  // Last among the direct measurements: it adds 10,000 agents to the dataset.
  if (!values['skip-import'] && !gateOnly) Object.assign(throughput, await importTimes(actor));

  const http: ({ path: string } & PacedResult)[] = [];
  const bytes: PageBytes[] = [];
  let journey: JourneyResult | null = null;
  if (cluster) {
    // The demo sign-in page lists the first twelve people: sign in as an administrator among them.
    const demo = await db.user.findMany({
      where: { active: true, NOT: { roles: { isEmpty: true } } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: 12,
      select: { name: true, roles: true },
    });
    const person = demo.find((p) => p.roles.includes('ADMIN'))?.name;
    if (!person) throw new Error('No administrator among the people the demo sign-in page lists.');
    journey = await journeyThroughBalancer(cluster.url, person, agent.slug, cluster.instances.length);
  }
  const gate = values.url ? await decisionRates(values.url, actor, ask) : { rows: [] as RateRow[], capacity: 0 };
  if (values.url && !gateOnly) {
    const secret = process.env.NEXTAUTH_SECRET;
    if (!secret) throw new Error('Set NEXTAUTH_SECRET to the server’s, so the benchmark can sign in.');
    const secure = values.url.startsWith('https');
    const session = await encode({ token: { sub: admin.id, name: admin.name, email: admin.email }, secret });
    const cookie = `${secure ? '__Secure-' : ''}next-auth.session-token=${session}`;
    const { token } = await createToken(actor, {
      name: `bench-${Date.now()}`,
      scopes: ['registry:read'],
      expiresInDays: 1,
    });
    const targets: [string, Record<string, string>][] = [
      ['/agents', { cookie }],
      [`/agents?after=${agentCursor('name', [row50k.name], row50k.id)}`, { cookie }],
      ['/agents?q=agent-00042', { cookie }],
      ['/ownership', { cookie }],
      [`/agents/${agent.slug}`, { cookie }],
      ['/timeline', { cookie }],
      ['/exceptions', { cookie }],
      ['/reviews', { cookie }],
      ['/', { cookie }],
      ['/findings', { cookie }],
      ['/api/v1/agents', { authorization: `Bearer ${token}` }],
    ];
    const instances = cluster?.instances.length ?? 1;
    // A server in its steady state, as one that has served for a while is: V8 settles a route's code over its first
    // hundred-odd renders (Node CPU per render of the agent page on a fresh server, in batches of 20: 217, 66, 70,
    // 57, 50, 52, 46, 47, 45, 45 ms), so each instance renders every route that often first, two at a time.
    const warmed = await warmUp(values.url, targets, WARM_RENDERS * instances);
    console.log(`Warmed ${instances} instance(s) with ${warmed} requests (${WARM_RENDERS} of each route each).`);
    reportSettled(await settleDatabase(pg), 'the rows before');
    for (const [path, headers] of targets) {
      if (headers.cookie) bytes.push(await pageBytes(values.url, path, headers));
      // Warm: a few requests one after another, so every instance has compiled this route's code, then three seconds
      // at the row's rate, not timed, so the row measures a server in its steady state (V8 optimises a route's code
      // over its first few dozen renders: a first row timed from cold carries that one-off cost in its tail).
      for (let i = 0; i < 3 * instances; i++) await (await fetch(`${values.url}${path}`, { headers })).arrayBuffer();
      await paced(values.url, [{ path, headers }], { rate: 20, seconds: 3, clients: 4 });
      const result = await paced(values.url, [{ path, headers }], { rate: 20, seconds: ROW_SECONDS, clients: 4 });
      http.push({ path, ...result });
      process.stdout.write('.');
    }
    console.log();
    throughput['ingest API (events/s)'] = await ingestThroughput(values.url, Number(values['ingest-events']));
  }

  const ms = (n: number | null) => (n === null ? '—' : n < 10 ? n.toFixed(1) : Math.round(n).toString());
  console.log(
    `\n${'query'.padEnd(32)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'floor p50'.padStart(10)} ` +
      `${'ratio'.padStart(6)}`,
  );
  for (const r of rows) {
    const target = queryTarget(r);
    console.log(
      `${r.path.padEnd(32)} ${ms(r.p50).padStart(8)} ${ms(r.p99).padStart(8)} ${ms(r.floorP50).padStart(10)} ` +
        `${(r.ratio === null ? '—' : r.ratio.toFixed(1) + '×').padStart(6)}` +
        (target ? `  ${target.text}: ${target.ok ? 'met' : 'MISSED'}` : ''),
    );
  }
  const p50 = (path: string) => rows.find((r) => r.path === path)?.p50 ?? NaN;
  if (!gateOnly) {
    console.log(
      `${'timeline deep / first page'.padEnd(32)} ` +
        `${(p50('timeline: 20,000 pages deep') / p50('timeline: first page')).toFixed(2).padStart(8)}`,
    );
  }
  const decision = rows.find((r) => r.path === 'issuance decision')!;
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(
    `${'issuance decision target'.padEnd(32)} p99 ${ms(decision.p99)} ms ≤ 5 ms: ${met(decision.p99 <= 5)}; ` +
      `${decision.ratio!.toFixed(1)}× floor ≤ 3×: ${met(decision.ratio! <= 3)}`,
  );
  if (gate.rows.length) {
    const target: Record<number, number> = { 100: 25, 200: 50 };
    console.log(
      `\nThe decision API ${cluster ? 'through nginx to the gate’s own server (npm run gate)' : `at ${values.url}`}; ` +
        'arrivals evenly spaced, latency from each request’s slot; late: the most a request left after its slot.',
    );
    console.log(
      `${'POST /api/v1/decisions (ms)'.padEnd(32)} ${'p50'.padStart(6)} ${'p90'.padStart(6)} ${'p99'.padStart(6)} ` +
        `${'max'.padStart(6)} ${'errors'.padStart(7)} ${'non-2xx'.padStart(8)} ${'sent'.padStart(6)} ` +
        `${'late'.padStart(5)}  target`,
    );
    for (const g of gate.rows)
      console.log(
        `${`${g.rate} req/s, 10 tokens`.padEnd(32)} ${ms(g.p50).padStart(6)} ${ms(g.p90).padStart(6)} ` +
          `${ms(g.p99).padStart(6)} ${ms(g.max).padStart(6)} ${String(g.errors).padStart(7)} ` +
          `${String(g.non2xx).padStart(8)} ` +
          `${String(g.requests).padStart(6)} ${ms(g.lateMs).padStart(5)}  ` +
          (target[g.rate]
            ? `p99 ≤ ${target[g.rate]} ms: ${met(g.p99 <= target[g.rate]! && g.non2xx === 0 && g.errors === 0)}`
            : '—'),
      );
    console.log(`${'capacity, 10 connections'.padEnd(32)} ${gate.capacity} decisions/s (autocannon, flat out)`);
  }
  const short = (path: string) => (path.length > 32 ? `${path.slice(0, 29)}...` : path).padEnd(32);
  if (journey) {
    console.log(`\nThrough nginx, ${cluster!.instances.length} instances, round-robin (no sticky sessions):`);
    for (const j of journey.steps) console.log(`  ${j.step.padEnd(14)} ${j.ok ? 'works' : 'FAILED'}: ${j.detail}`);
    console.log(
      `  responses per instance: ${Object.entries(journey.servedBy)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}`,
    );
  }
  if (http.length) {
    const where = cluster ? `through nginx, ${cluster.instances.length} instances` : 'one instance';
    console.log(
      `\n${`HTTP at 20 req/s for ${ROW_SECONDS} s (ms), ${where}`.padEnd(32)} ${'p50'.padStart(6)} ` +
        `${'p90'.padStart(6)} ${'p99'.padStart(6)} ${'max'.padStart(6)} ${'errors'.padStart(7)} ` +
        `${'non-2xx'.padStart(8)} ${'late'.padStart(5)}  target`,
    );
    for (const h of http)
      console.log(
        `${short(h.path)} ${ms(h.p50).padStart(6)} ${ms(h.p90).padStart(6)} ${ms(h.p99).padStart(6)} ` +
          `${ms(h.max).padStart(6)} ` +
          `${String(h.errors).padStart(7)} ${String(h.non2xx).padStart(8)} ${ms(h.lateMs).padStart(5)}  ` +
          `p99 ≤ 150 ms: ${met(h.p99 <= 150 && h.errors === 0 && h.non2xx === 0)}`,
      );
  }
  if (bytes.length) {
    const kb = (n: number) => (n / 1000).toFixed(1).padStart(9);
    console.log(
      `\n${'page bytes (kB)'.padEnd(32)} ${'HTML wire'.padStart(9)} ${'HTML raw'.padStart(9)} ` +
        `${'RSC wire'.padStart(9)} ${'RSC raw'.padStart(9)}  target`,
    );
    for (const b of bytes)
      console.log(
        `${short(b.path)} ${kb(b.htmlWire)} ${kb(b.htmlRaw)} ${kb(b.rscWire)} ${kb(b.rscRaw)}  ` +
          `≤ 100 kB sent: ${met(b.htmlWire <= 100_000 && b.rscWire <= 100_000)}`,
      );
  }
  if (verification.length) printVerification(verification);
  console.log('');
  for (const [k, v] of Object.entries(throughput)) console.log(`${k.padEnd(44)} ${v.toLocaleString('en')}`);
  const weights = pageWeights();
  if (weights) {
    console.log(`\n${'first-load JS (gzip)'.padEnd(32)} ${'kB'.padStart(8)}`);
    for (const w of weights) console.log(`${w.route.padEnd(32)} ${w.gzipKb.toFixed(1).padStart(8)}`);
  } else console.log('\nNo production build (.next/diagnostics): run `next build` for the page weights.');
  writeFileSync(
    'bench/results.json',
    JSON.stringify(
      {
        at: new Date().toISOString(),
        dataset: { agents, events },
        queries: rows,
        http,
        instances: cluster?.instances.length ?? (values.url ? 1 : 0),
        journey,
        pageBytes: bytes,
        issuanceGate: gate,
        throughput,
        verification,
        pageWeights: weights,
      },
      null,
      2,
    ),
  );
  console.log('\nWrote bench/results.json.');
  await Promise.all([pg.end(), generic.end()]);
  // A journey step that failed through the balancer fails the run.
  return journey && journey.steps.some((j) => !j.ok) ? 1 : 0;
}

function reportSettled(settled: { tables: string[]; seconds: number }, by: string): void {
  console.log(
    `Vacuumed ${settled.tables.length} table(s) written by ${by} (${settled.tables.join(', ') || 'none'}) and ` +
      `checkpointed in ${settled.seconds.toFixed(1)} s, so autovacuum does not run during the rows that follow.`,
  );
}

type QueryRow = { path: string; p50: number; p99: number; floorP50: number | null };

/** Each query row's target (issue 24 item 2; the agents list's from issue 10): within 3× its floor or floor + 10 ms. */
function queryTarget(r: QueryRow): { text: string; ok: boolean } | null {
  const nearFloor = (slack: boolean) =>
    r.floorP50 === null
      ? null
      : {
          text: slack ? '≤ 3× floor or floor + 10 ms' : '≤ 3× floor',
          ok: r.p50 <= 3 * r.floorP50 || (slack && r.p50 <= r.floorP50 + 10),
        };
  if (r.path === 'timeline: one agent') return { text: 'p99 ≤ 10 ms', ok: r.p99 <= 10 };
  if (r.path.startsWith('dashboard')) return { text: 'p50 ≤ 25 ms', ok: r.p50 <= 25 };
  if (r.path === 'exceptions queue' || r.path.startsWith('reviews queue')) return nearFloor(false);
  if (r.path === 'agent page' || r.path.startsWith('agents') || r.path.startsWith('ownership')) return nearFloor(true);
  return null;
}

runScript(main);

/** Renders of each route per instance before the HTTP rows (see where it is used). */
const WARM_RENDERS = 150;

/** Each target `times` times, two requests at a time; returns how many were sent. */
async function warmUp(url: string, targets: [string, Record<string, string>][], times: number): Promise<number> {
  const queue = targets.flatMap(([path, headers]) => Array.from({ length: times }, () => ({ path, headers })));
  const worker = async () => {
    for (let next = queue.pop(); next; next = queue.pop()) {
      await (await fetch(`${url}${next.path}`, { headers: next.headers })).arrayBuffer();
    }
  };
  const total = queue.length;
  await Promise.all([worker(), worker()]);
  return total;
}
