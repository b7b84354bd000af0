import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import type { AgentKind, AgentStatus, Environment, RiskTier } from '@/lib/generated/prisma/enums';
import { readyForIssuance } from '@/lib/issuance/ready';
import { AGENT_STATUSES, RISK_TIERS, type AgentListQuery, type AgentSort } from './schema';

// The agents list pages by keyset, never OFFSET: a page is the rows after (or
// before) the boundary row's sort key, so page 1,000 costs what page 1 does.
// Every filter and sort it offers is backed by an index (see the Agent model).

export type AgentRow = {
  id: string;
  slug: string;
  name: string;
  kind: AgentKind;
  status: AgentStatus;
  riskTier: RiskTier;
  environments: Environment[];
  workloadIdentity: string | null;
  owner: { id: string; name: string | null; active: boolean } | null;
  planesAssigned: number;
  nextReviewDue: Date | null;
  createdAt: Date;
  /** Every agent-level rule of the issuance gate passes (lib/issuance/ready.ts); null where not computed. */
  ready: boolean | null;
};

export type AgentPage = {
  rows: AgentRow[];
  /** Matching agents, counted up to COUNT_CAP (a thousand for "ready"); `capped` when there are more. */
  total: number;
  capped: boolean;
  /** Cursors for the next and previous pages, null at either end. */
  next: string | null;
  prev: string | null;
};

export const COUNT_CAP = 10_000;

type Raw = Omit<AgentRow, 'owner'> & { ownerId: string | null; ownerName: string | null; ownerActive: boolean | null };
type Key = { column: string; cast: string; value: (row: Raw) => string | null; valid: (v: unknown) => boolean };

const text = (column: 'name' | 'slug'): Key => ({
  column,
  cast: 'text',
  value: (r) => r[column],
  valid: (v) => typeof v === 'string',
});
const oneOf = (column: string, cast: string, values: readonly string[]): Key => ({
  column,
  cast,
  value: (r) => r[column as 'status' | 'riskTier'],
  valid: (v) => values.includes(v as string),
});
const time = (column: 'createdAt' | 'nextReviewDue'): Key => ({
  column,
  cast: 'timestamptz',
  value: (r) => r[column]?.toISOString() ?? null,
  valid: (v) => v === null || (typeof v === 'string' && !Number.isNaN(Date.parse(v))),
});

/** Each sort's key columns, before the id that makes every key unique. Only next review is nullable. */
const SORT_KEYS: Record<AgentSort, Key[]> = {
  name: [text('name')],
  slug: [text('slug')],
  status: [oneOf('status', '"AgentStatus"', AGENT_STATUSES), text('name')],
  riskTier: [oneOf('riskTier', '"RiskTier"', RISK_TIERS), text('name')],
  nextReviewDue: [time('nextReviewDue')],
  createdAt: [time('createdAt')],
};

const col = (alias: string, column: string) => Prisma.raw(`${alias}."${column}"`);

/** A cursor: the boundary row's key values and id, as base64url JSON. */
const pack = (values: (string | null)[], id: string) =>
  Buffer.from(JSON.stringify([...values, id])).toString('base64url');
const encodeCursor = (keys: Key[], row: Raw) =>
  pack(
    keys.map((k) => k.value(row)),
    row.id,
  );

/** The cursor of a row with these key values (the benchmark seeks deep pages with it). */
export function agentCursor(sort: AgentSort, values: (string | null)[], id: string): string {
  if (values.length !== SORT_KEYS[sort].length)
    throw new Error(`Sort ${sort} takes ${SORT_KEYS[sort].length} key values.`);
  return pack(values, id);
}

/** The cursor's values, or null if it is not one of this sort's (a stale or edited link starts over). */
function decodeCursor(keys: Key[], cursor: string | undefined): { values: (string | null)[]; id: string } | null {
  if (!cursor) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== keys.length + 1) return null;
    const id = parsed[keys.length];
    if (typeof id !== 'string' || !keys.every((k, i) => k.valid(parsed[i]))) return null;
    return { values: parsed.slice(0, keys.length) as (string | null)[], id };
  } catch {
    return null;
  }
}

/** The list's filters as SQL conditions on `a` (the agent). */
export function agentFilters(query: AgentListQuery, now = new Date()): Prisma.Sql {
  const and: Prisma.Sql[] = [];
  if (query.q) {
    const like = `%${query.q.replace(/[\\%_]/g, '\\$&')}%`;
    // "search" is name, slug and workload identity, lower-cased, under one trigram index;
    // = ANY keeps the owner match an index condition, so the two combine in one BitmapOr.
    and.push(
      Prisma.sql`(a."search" LIKE lower(${like}) OR a."ownerId" = ANY (ARRAY(SELECT u."id" FROM "User" u WHERE
        u."name" ILIKE ${like})))`,
    );
  }
  if (query.status) and.push(Prisma.sql`a."status" = ${query.status}::"AgentStatus"`);
  if (query.riskTier) and.push(Prisma.sql`a."riskTier" = ${query.riskTier}::"RiskTier"`);
  if (query.environment) and.push(Prisma.sql`a."environments" @> ARRAY[${query.environment}]::"Environment"[]`);
  if (query.kind) and.push(Prisma.sql`a."kind" = ${query.kind}::"AgentKind"`);
  if (query.owner) and.push(Prisma.sql`a."ownerId" = ${query.owner}`);
  if (query.inService) and.push(Prisma.sql`a."status" <> 'RETIRED'`);
  if (query.ownershipIncomplete) {
    and.push(Prisma.sql`(a."orphaned" OR a."planesAssigned" < 3) AND a."status" <> 'RETIRED'`);
  }
  if (query.planeUnassigned) and.push(Prisma.sql`a."planesAssigned" < 3 AND a."status" <> 'RETIRED'`);
  // Both flags are kept by triggers (see the Agent model), so each filter is an index range.
  if (query.orphaned) and.push(Prisma.sql`a."orphaned" AND a."status" <> 'RETIRED'`);
  if (query.reviewOverdue) and.push(Prisma.sql`a."openReviewDueAt" < ${now}`);
  if (query.ready)
    and.push(Prisma.sql`${query.ready === 'no' ? Prisma.sql`NOT` : Prisma.empty} ${readyForIssuance(now)}`);
  return and.length > 0 ? Prisma.join(and, ' AND ') : Prisma.sql`true`;
}

/**
 * The conditions for "after the cursor" in direction `dir`, as branches to
 * UNION: a row comparison is one index range, but it never matches NULL, so a
 * nullable key's NULLs (last ascending, first descending) are a branch of their own.
 */
function seekBranches(
  keys: Key[],
  dir: 'asc' | 'desc',
  cursor: { values: (string | null)[]; id: string } | null,
): Prisma.Sql[] {
  if (!cursor) return [Prisma.sql`true`];
  const op = Prisma.raw(dir === 'asc' ? '>' : '<');
  if (cursor.values[0] === null) {
    // Only a nullable single key can be null.
    const key = col('a', keys[0]!.column);
    const nulls = Prisma.sql`${key} IS NULL AND a."id" ${op} ${cursor.id}`;
    return dir === 'asc' ? [nulls] : [nulls, Prisma.sql`${key} IS NOT NULL`];
  }
  const left = Prisma.join([...keys.map((k) => col('a', k.column)), Prisma.raw('a."id"')]);
  const right = Prisma.join([
    ...keys.map((k, i) => Prisma.sql`${cursor.values[i]}::${Prisma.raw(k.cast)}`),
    Prisma.sql`${cursor.id}`,
  ]);
  const range = Prisma.sql`ROW(${left}) ${op} ROW(${right})`;
  const nullable = keys[0]!.column === 'nextReviewDue';
  return nullable && dir === 'asc' ? [range, Prisma.sql`${col('a', keys[0]!.column)} IS NULL`] : [range];
}

function orderBy(keys: Key[], dir: 'asc' | 'desc', alias: string): Prisma.Sql {
  const d = dir === 'asc' ? 'ASC NULLS LAST' : 'DESC NULLS FIRST';
  return Prisma.raw([...keys.map((k) => `${alias}."${k.column}" ${d}`), `${alias}."id" ${d}`].join(', '));
}

/** Up to `limit` rows after `cursor` in direction `dir`. */
async function seek(
  filters: Prisma.Sql,
  keys: Key[],
  dir: 'asc' | 'desc',
  cursor: ReturnType<typeof decodeCursor>,
  limit: number,
  readyAt: Date | null,
): Promise<Raw[]> {
  const branches = seekBranches(keys, dir, cursor).map(
    (
      branch,
    ) => Prisma.sql`(SELECT a."id", a."slug", a."name", a."kind", a."status", a."riskTier", a."environments"::text[]
      AS "environments",
        a."workloadIdentity", a."planesAssigned", a."nextReviewDue", a."createdAt",
        o."id" AS "ownerId", o."name" AS "ownerName", o."active" AS "ownerActive"
      FROM "Agent" a LEFT JOIN "User" o ON o."id" = a."ownerId"
      WHERE ${filters} AND ${branch}
      ORDER BY ${orderBy(keys, dir, 'a')} LIMIT ${limit})`,
  );
  const page =
    branches.length === 1
      ? branches[0]!
      : Prisma.sql`(SELECT * FROM (${Prisma.join(branches, ' UNION ALL ')}) u
          ORDER BY ${orderBy(keys, dir, 'u')} LIMIT ${limit})`;
  if (!readyAt) {
    return getDb().$queryRaw<Raw[]>`SELECT p.*, NULL::boolean AS "ready" FROM ${page} p
      ORDER BY ${orderBy(keys, dir, 'p')}`;
  }
  // "Ready" over the page's rows only: in the keyset query itself the planner, expecting every agent, would hash
  // whole tables for its subqueries; here each is an index lookup per row of the page.
  return getDb().$queryRaw<Raw[]>`
    SELECT p.*, ${readyForIssuance(readyAt)} AS "ready" FROM ${page} p JOIN "Agent" a ON a."id" = p."id"
    ORDER BY ${orderBy(keys, dir, 'p')}`;
}

function toRow({ ownerId, ownerName, ownerActive, ...agent }: Raw): AgentRow {
  // A field the row lacks goes before its spread: after it, V8 builds every row a map of its own.
  return { owner: ownerId ? { id: ownerId, name: ownerName, active: ownerActive ?? false } : null, ...agent };
}

/** One page of the agents list: after `query.after`, before `query.before`, or the first. */
export async function listAgents(actor: Actor, query: AgentListQuery): Promise<AgentPage> {
  requirePermission(actor, 'agent.read');
  const now = new Date();
  // "Ready" is computed per agent (lib/issuance/ready.ts): counting ten thousand of them costs a second on 100,000
  // agents, so that filter counts to a thousand ("1,000+").
  return pageAgents(agentFilters(query, now), query, now, query.ready ? READY_COUNT_CAP : COUNT_CAP);
}

const READY_COUNT_CAP = 1_000;

/**
 * One keyset page of the agents matching `filters` (also the ownership matrix's pager). With `readyAt`, each row
 * says whether it is ready for issuance then; without, `ready` is not computed (null).
 */
export async function pageAgents(
  filters: Prisma.Sql,
  query: Pick<AgentListQuery, 'sort' | 'dir' | 'after' | 'before' | 'size'>,
  readyAt: Date | null = null,
  cap = COUNT_CAP,
): Promise<AgentPage> {
  const keys = SORT_KEYS[query.sort];
  const before = decodeCursor(keys, query.before);
  const after = before ? null : decodeCursor(keys, query.after);
  const flip = query.dir === 'asc' ? 'desc' : 'asc';
  const [found, [{ n }]] = await Promise.all([
    seek(filters, keys, before ? flip : query.dir, before ?? after, query.size + 1, readyAt),
    getDb().$queryRaw<
      [{ n: number }]
    >`SELECT count(*)::int AS n FROM (SELECT 1 FROM "Agent" a WHERE ${filters} LIMIT ${cap + 1}) t`,
  ]);
  const more = found.length > query.size;
  const page = found.slice(0, query.size);
  if (before) page.reverse();
  const first = page[0];
  const last = page[page.length - 1];
  return {
    rows: page.map(toRow),
    total: Math.min(n, cap),
    capped: n > cap,
    next: last && (before ? true : more) ? encodeCursor(keys, last) : null,
    prev: first && (before ? more : Boolean(after)) ? encodeCursor(keys, first) : null,
  };
}

/** Every agent matching the list's filters, in its order, a batch at a time (for CSV export). */
export async function* iterateAgents(actor: Actor, query: AgentListQuery, batch = 500): AsyncGenerator<AgentRow[]> {
  requirePermission(actor, 'agent.read');
  const keys = SORT_KEYS[query.sort];
  const now = new Date();
  const filters = agentFilters(query, now);
  let cursor: ReturnType<typeof decodeCursor> = null;
  for (;;) {
    const rows = await seek(filters, keys, query.dir, cursor, batch, now);
    if (rows.length === 0) return;
    yield rows.map(toRow);
    if (rows.length < batch) return;
    const last = rows[rows.length - 1]!;
    cursor = { values: keys.map((k) => k.value(last)), id: last.id };
  }
}
