// The hot paths' plans on a dataset big enough for PostgreSQL to prefer
// indexes (20,000 agents, 200,000 events): each domain function runs with a
// client that records its SQL, and every statement it sends is EXPLAINed. A
// sequential scan of the agent or event table fails the test, naming the
// statement. The benchmark (`npm run bench`) measures the same paths at 100k/10M.
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { beforeAll, expect, it } from 'vitest';
import { listAgents } from '@/lib/agents/list';
import { loadAgentPage } from '@/lib/agents/page';
import { parseAgentListQuery } from '@/lib/agents/schema';
import { listTimeline, parseTimelineQuery } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { hotClient } from '@/lib/db/client';
import { prepared, preparedName } from '@/lib/db/prepared';
import { getEnv } from '@/lib/env';
import { listExceptionQueue } from '@/lib/exceptions/queries';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { listOwnershipMatrix } from '@/lib/ownership/queries';
import { agentFindingsStatement, listFindings } from '@/lib/policy/findings';
import { RULES } from '@/lib/policy/rules';
import { syncFindings } from '@/lib/policy/trend';
import { listReviews } from '@/lib/reviews/queries';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';

const AGENTS = 20_000;
const EVENTS = 200_000;
const GUARDED = new Set(['Agent', 'AuditEvent']);

type Plan = { 'Node Type': string; 'Relation Name'?: string; 'Parent Relationship'?: string; Plans?: Plan[] };
type Captured = { query: string; params: unknown[] };

const holder = globalThis as { __custodianDb?: PrismaClient };
let admin: Awaited<ReturnType<typeof createPerson>>;
let sample: { slug: string; id: string; ownerId: string; deepSeq: bigint };

/** Runs `work` with the app's client swapped for one that records every statement. */
async function capture(work: () => Promise<unknown>): Promise<Captured[]> {
  const statements: Captured[] = [];
  const client = new PrismaClient({
    adapter: new PrismaPg({ connectionString: getEnv().DATABASE_URL! }),
    log: [{ emit: 'event', level: 'query' }],
  });
  client.$on('query', (e) => statements.push({ query: e.query, params: JSON.parse(e.params) as unknown[] }));
  const previous = holder.__custodianDb;
  holder.__custodianDb = client;
  try {
    await work();
  } finally {
    holder.__custodianDb = previous;
    await client.$disconnect();
  }
  // Reads, prepared ones too (marked with a leading comment, ../db/prepared.ts).
  return statements.filter((s) => /^\s*(\/\*[^*]*\*\/\s*)?(SELECT|WITH)/i.test(s.query));
}

/**
 * Sequential scans of a guarded table, except one a Limit stops: read straight into it, or as the outer side of the
 * nested loops, subquery scans and appends under it, which pass rows up one at a time (the capped counts read at most
 * 10,001 rows). A sort, hash or aggregate between them reads everything first; a nested loop's inner side is read
 * again for every outer row.
 */
function seqScans(plan: Plan, bounded = false): string[] {
  const own =
    plan['Node Type'] === 'Seq Scan' && GUARDED.has(plan['Relation Name'] ?? '') && !bounded
      ? [plan['Relation Name']!]
      : [];
  const passesBound = plan['Node Type'] === 'Limit' || (bounded && STREAMING.has(plan['Node Type']));
  return [
    ...own,
    ...(plan.Plans ?? []).flatMap((child) =>
      seqScans(
        child,
        passesBound && child['Parent Relationship'] !== 'Inner' && child['Parent Relationship'] !== 'InitPlan',
      ),
    ),
  ];
}
const STREAMING = new Set(['Nested Loop', 'Subquery Scan', 'Append', 'Result']);

async function expectIndexed(name: string, work: () => Promise<unknown>) {
  const statements = await capture(work);
  expect(statements.length, `${name} sent no SELECT`).toBeGreaterThan(0);
  for (const s of statements) {
    const [row] = await getDb().$queryRawUnsafe<[{ 'QUERY PLAN': [{ Plan: Plan }] }]>(
      `EXPLAIN (FORMAT JSON) ${s.query}`,
      ...s.params,
    );
    const scans = seqScans(row['QUERY PLAN'][0].Plan);
    expect(scans, `${name}: sequential scan of ${scans.join(', ')} in\n${s.query}`).toEqual([]);
  }
}

describeWithPostgresServer('hot paths use indexes at scale (EXPLAIN)', () => {
  beforeAll(async () => {
    admin = await createPerson(['ADMIN']);
    const db = getDb();
    await db.$executeRawUnsafe(`
      INSERT INTO "Agent" ("id", "slug", "name", "kind", "riskTier", "status", "environments", "ownerId",
        "nextReviewDue", "planesAssigned", "createdAt", "updatedAt")
      SELECT 'plan_agent_' || i, 'plan-agent-' || i, 'Plan agent ' || i,
             (ARRAY['CODING_AGENT','CI_AGENT','OPS_AGENT','OTHER'])[1 + i % 4]::"AgentKind",
             (ARRAY['LOW','MEDIUM','HIGH','CRITICAL'])[1 + i % 4]::"RiskTier",
             (ARRAY['ACTIVE','ACTIVE','ACTIVE','SUSPENDED','PROPOSED','RETIRED'])[1 + i % 6]::"AgentStatus",
             CASE WHEN i % 3 = 0 THEN ARRAY['DEV']::"Environment"[] ELSE ARRAY['STAGING','PROD']::"Environment"[] END,
             '${admin.id}', now() + (i % 400 - 30) * interval '1 day', 3, now() - i * interval '1 minute', now()
      FROM generate_series(1, ${AGENTS}) i`);
    await db.$executeRawUnsafe(`
      INSERT INTO "AuditEvent" ("seq", "occurredAt", "recordedAt", "actorType", "actorId", "agentId", "credentialId",
        "action", "details", "prevHash", "hash")
      SELECT i + 1000000, now() - (${EVENTS} - i) * interval '1 second', now(), 'USER', '${admin.id}', 'plan_agent_'
        || (1 + i % ${AGENTS}), NULL,
             (ARRAY['credential.used','agent.updated','credential.rotated','note.added'])[1 + i % 4], '{}',
               repeat('0', 64), lpad(to_hex(i), 64, '0')
      FROM generate_series(1, ${EVENTS}) i`);
    // Statistics are the owner's to gather.
    await asOwner('ANALYZE');
    sample = {
      slug: 'plan-agent-42',
      id: 'plan_agent_42',
      ownerId: admin.id,
      deepSeq: BigInt(1_000_000 + EVENTS - 20_000),
    };
    await syncFindings();
  }, 120_000);

  const agents = (params: Record<string, string>) => () => listAgents(admin, parseAgentListQuery(params));
  const cases: [string, () => () => Promise<unknown>][] = [
    ['agents: first page', () => agents({})],
    ['agents: status filter', () => agents({ status: 'SUSPENDED' })],
    ['agents: risk tier filter', () => agents({ riskTier: 'CRITICAL' })],
    ['agents: kind filter', () => agents({ kind: 'OPS_AGENT' })],
    ['agents: owner filter', () => agents({ owner: sample.ownerId })],
    ['agents: plane unassigned', () => agents({ planeUnassigned: '1' })],
    ['agents: orphaned', () => agents({ orphaned: '1' })],
    ['agents: review overdue', () => agents({ reviewOverdue: '1' })],
    ['agents: search', () => agents({ q: 'plan-agent-1234' })],
    ['agents: sort by slug, descending', () => agents({ sort: 'slug', dir: 'desc' })],
    ['agents: sort by next review', () => agents({ sort: 'nextReviewDue' })],
    ['agents: sort by registered', () => agents({ sort: 'createdAt' })],
    ['agents: sort by risk tier', () => agents({ sort: 'riskTier' })],
    ['ownership matrix', () => () => listOwnershipMatrix(admin, { gaps: false, size: 100 })],
    ['ownership matrix: gaps', () => () => listOwnershipMatrix(admin, { gaps: true, size: 100 })],
    ['agent page', () => () => loadAgentPage(admin, sample.slug)],
    ['exceptions queue', () => () => listExceptionQueue(admin)],
    ['reviews queue', () => () => listReviews(admin, { view: 'open', size: 50 })],
    ['findings page', () => () => listFindings(admin, {})],
    ['timeline: first page', () => () => listTimeline(admin, parseTimelineQuery({}))],
    ['timeline: deep page', () => () => listTimeline(admin, parseTimelineQuery({ before: sample.deepSeq.toString() }))],
    ['timeline: one agent', () => () => listTimeline(admin, parseTimelineQuery({ agent: sample.slug }))],
    ['timeline: action group', () => () => listTimeline(admin, parseTimelineQuery({ group: 'credential' }))],
    ['timeline: actor', () => () => listTimeline(admin, parseTimelineQuery({ actor: admin.id }))],
  ];
  for (const [name, work] of cases) {
    it(`${name}: no sequential scan of Agent or AuditEvent`, () => expectIndexed(name, work()));
  }

  // Statements the hot path runs prepared with their generic plan (hotClient): that plan, not a per-value one.
  it('agent page findings, prepared with a generic plan: no sequential scan of Agent or AuditEvent', async () => {
    const statement = prepared(
      await agentFindingsStatement(admin, { agent: sample.slug, size: 100 }, RULES, new Date(), sample.id),
    );
    const client = (await hotClient())!;
    try {
      const name = preparedName({ sql: statement.text })!;
      // EXECUTE takes its arguments as SQL, not bind parameters: literals, as pg would send them.
      const args = statement.values.map(literalOf).join(', ');
      // Six executions, so PostgreSQL would settle on the generic plan even without the pool's setting.
      for (let i = 0; i < 6; i++) await client.query({ name, text: statement.text, values: statement.values });
      const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: Plan }] }>(
        `EXPLAIN (FORMAT JSON) EXECUTE ${name}(${args})`,
      );
      const plan = JSON.stringify(rows[0]!['QUERY PLAN'][0].Plan);
      // A generic plan's conditions name the parameters ($1…), a per-value plan the values.
      expect(plan).toMatch(/\$\d+/);
      const scans = seqScans(rows[0]!['QUERY PLAN'][0].Plan);
      expect(scans, `sequential scan of ${scans.join(', ')}`).toEqual([]);
    } finally {
      client.release();
    }
  });

  it('the check itself fails on a sequential scan', async () => {
    const scan = (relation: string, parent?: string): Plan => ({
      'Node Type': 'Seq Scan',
      'Relation Name': relation,
      ...(parent ? { 'Parent Relationship': parent } : {}),
    });
    // Under a limit: the outer side of a nested loop stops with it; its inner side, or a sort's input, does not.
    const loop: Plan = { 'Node Type': 'Nested Loop', Plans: [scan('Agent', 'Outer'), scan('AuditEvent', 'Inner')] };
    expect(seqScans({ 'Node Type': 'Limit', Plans: [loop] })).toEqual(['AuditEvent']);
    expect(seqScans({ 'Node Type': 'Limit', Plans: [{ 'Node Type': 'Sort', Plans: [scan('Agent')] }] })).toEqual([
      'Agent',
    ]);
    expect(seqScans(loop)).toEqual(['Agent', 'AuditEvent']);
    await expect(
      expectIndexed('unindexed', () =>
        getDb().$queryRawUnsafe(`SELECT count(*) FROM "Agent" WHERE "description" = 'x'`),
      ),
    ).rejects.toThrow(/sequential scan of Agent/);
    await expectIndexed('bounded', () =>
      getDb().$queryRawUnsafe(`SELECT count(*) FROM (SELECT 1 FROM "Agent" LIMIT 10001) t`),
    );
  });
});

function literalOf(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (Array.isArray(value)) {
    return pg.escapeLiteral(`{${value.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`);
  }
  return pg.escapeLiteral(value instanceof Date ? value.toISOString() : String(value));
}
