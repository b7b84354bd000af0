// `npm run bench:ingest -- --url http://127.0.0.1:3000 [--events 100000] [--batch 1000] [--concurrency 4]`
// Posts custody events through the ingest API in batches and reports events
// per second. It creates its own agent and API token in the database the
// server uses (DATABASE_URL, or the embedded one), so run it beside a server.
import { parseArgs } from 'node:util';
import { registerAgent } from '@/lib/agents/commands';
import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { createToken } from '@/lib/tokens/commands';

/** Posts `total` events through the API of the server at `url`; returns events per second. */
export async function ingestThroughput(url: string, total: number, batchSize = 1000, concurrency = 4): Promise<number> {
  const values = { url };
  const db = getDb();
  const admin = await db.user.findFirst({
    where: { active: true, roles: { has: 'ADMIN' } },
    select: { id: true, name: true, email: true, roles: true },
  });
  if (!admin) throw new Error('No active ADMIN in this database: seed it first (npm run db:seed).');
  const slug = `ingest-bench-${Date.now().toString(36)}`;
  await registerAgent(admin, {
    slug,
    name: 'Ingest benchmark',
    kind: 'CI_AGENT',
    environments: ['PROD'],
    riskTier: 'LOW',
    ownerId: admin.id,
  });
  const { token } = await createToken(admin, { name: slug, scopes: ['events:write'], expiresInDays: 1 });
  const credentials = Array.from({ length: 20 }, (_, i) => `bench-lease-${i}`);

  // Issue the credentials first, then report uses in batches.
  const post = async (events: unknown[], key: string) => {
    const response = await fetch(`${values.url}/api/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'idempotency-key': key },
      body: JSON.stringify({ events }),
    });
    if (response.status === 429) {
      await new Promise((r) => setTimeout(r, 1000 * Number(response.headers.get('retry-after') ?? 1)));
      return post(events, key);
    }
    if (response.status !== 201) throw new Error(`Batch ${key}: HTTP ${response.status} ${await response.text()}`);
  };
  const now = () => new Date().toISOString();
  await post(
    credentials.map((name) => ({
      type: 'credential.issued',
      agent: { slug },
      credential: { name, kind: 'OAUTH_TOKEN', issuance: 'DYNAMIC', storage: 'VAULT_OR_BROKER', environment: 'PROD' },
      occurredAt: now(),
    })),
    `${slug}-issue`,
  );
  const batches = Math.ceil(total / batchSize);
  let next = 0;
  let done = 0;
  const started = performance.now();
  const worker = async () => {
    for (;;) {
      const b = next++;
      if (b >= batches) return;
      const size = Math.min(batchSize, total - b * batchSize);
      const events = Array.from({ length: size }, (_, i) => ({
        type: 'credential.used',
        agent: { slug },
        credential: { name: credentials[(b + i) % credentials.length] },
        occurredAt: now(),
        context: `bench ${b}.${i}`,
      }));
      await post(events, `${slug}-${b}`);
      done += size;
      if (b % 10 === 0) process.stdout.write(`\r${done.toLocaleString('en')} / ${total.toLocaleString('en')} events`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(done / seconds);
  console.log(
    `\rIngested ${done.toLocaleString('en')} events in ${batches} batches of ${batchSize} (${concurrency} ` +
      `concurrent) in ${seconds.toFixed(1)} s: ${rate.toLocaleString('en')} events/s with the chain on.`,
  );
  return rate;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:3000' },
      events: { type: 'string', default: '100000' },
      batch: { type: 'string', default: '1000' },
      concurrency: { type: 'string', default: '4' },
    },
  });
  await ingestThroughput(
    values.url,
    Number(values.events),
    Math.min(1000, Number(values.batch)),
    Number(values.concurrency),
  );
  return 0;
}

if (import.meta.filename === process.argv[1]) runScript(main);
