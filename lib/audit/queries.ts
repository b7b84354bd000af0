import 'server-only';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, readSource, type Db } from '@/lib/db';
import { poolRows } from '@/lib/db/hot-path';
import { prepared } from '@/lib/db/prepared';
import { Prisma } from '@/lib/generated/prisma/client';
import type { Role } from '@/lib/generated/prisma/enums';
import { ACTION_GROUPS, ActionGroupSchema, groupOf, type ActionGroup } from './groups';
import { describeEvent } from './sentence';
import { literal } from './stream';

// A calendar day: one that does not exist (2024-02-30, 2024-13-01) is no filter, not a day rolled forward or an error.
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => {
    const date = new Date(`${v}T00:00:00.000Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(v);
  })
  .optional()
  .catch(undefined);

// A seq: digits that fit PostgreSQL's bigint (a larger one would overflow the query), else no cursor.
const seqCursor = z
  .string()
  .regex(/^\d{1,19}$/)
  // Compared as text (every check runs, even after the pattern fails): 19 digits at most 2^63 − 1.
  .refine((v) => v.length < 19 || v <= '9223372036854775807')
  .optional()
  .catch(undefined);

/** The timeline's URL state. Bad values fall back to "no filter"; `before` is the keyset cursor (a seq). */
export const TimelineQuerySchema = z.object({
  agent: z.string().trim().toLowerCase().max(64).optional().catch(undefined),
  credential: z.string().trim().max(64).optional().catch(undefined),
  actor: z.string().trim().max(64).optional().catch(undefined),
  group: ActionGroupSchema.optional().catch(undefined),
  from: day,
  to: day,
  /** Older than this seq: the next page (the API's cursor too). */
  before: seqCursor,
  /** Newer than this seq: the previous page. */
  newer: seqCursor,
  size: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(25), z.literal(50), z.literal(100)]))
    .catch(50)
    .default(50),
});
export type TimelineQuery = z.infer<typeof TimelineQuerySchema>;

export function parseTimelineQuery(params: Record<string, string | string[] | undefined>): TimelineQuery {
  return TimelineQuerySchema.parse(
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, (Array.isArray(v) ? v[0] : v) || undefined])),
  );
}

/** The first and last instant of the `from` and `to` days (UTC), when given. */
function dayBounds(query: Pick<TimelineQuery, 'from' | 'to'>): { from?: Date; to?: Date } {
  return {
    from: query.from ? new Date(`${query.from}T00:00:00.000Z`) : undefined,
    to: query.to ? new Date(`${query.to}T23:59:59.999Z`) : undefined,
  };
}

/** A timeline filter in the ids the indexes use. `none` when it names an agent that does not exist. */
export type TimelineFilter = {
  agentId?: string;
  credentialId?: string;
  actorId?: string;
  group?: ActionGroup;
  from?: Date;
  to?: Date;
  none?: true;
};

export async function resolveTimelineFilter(
  db: Db,
  query: Omit<TimelineQuery, 'before' | 'newer' | 'size'>,
): Promise<TimelineFilter> {
  const filter: TimelineFilter = {
    credentialId: query.credential,
    actorId: query.actor,
    group: query.group,
    ...dayBounds(query),
  };
  if (query.agent) {
    const agent = await db.agent.findUnique({ where: { slug: query.agent }, select: { id: true } });
    if (!agent) return { ...filter, none: true };
    filter.agentId = agent.id;
  }
  return filter;
}

/** The filter as a where clause: each offered filter has its own (column, seq) index. */
export function timelineWhere(
  filter: TimelineFilter,
  seq?: { lt?: bigint; lte?: bigint; gt?: bigint },
): Prisma.AuditEventWhereInput {
  if (filter.none) return { seq: { lt: 0n } };
  return {
    ...(filter.agentId ? { agentId: filter.agentId } : {}),
    ...(filter.credentialId ? { credentialId: filter.credentialId } : {}),
    ...(filter.actorId ? { actorId: filter.actorId } : {}),
    ...(filter.group ? { action: { in: [...ACTION_GROUPS[filter.group]] } } : {}),
    ...(filter.from || filter.to
      ? { occurredAt: { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) } }
      : {}),
    ...(seq ? { seq } : {}),
  };
}

/** The same filter as SQL over `e` (the event) with literal values, for the streaming reader. */
export function timelineCondition(filter: TimelineFilter, throughSeq: bigint): string {
  if (filter.none) return 'false';
  const and = [`e."seq" <= ${literal(throughSeq)}`];
  if (filter.agentId) and.push(`e."agentId" = ${literal(filter.agentId)}`);
  if (filter.credentialId) and.push(`e."credentialId" = ${literal(filter.credentialId)}`);
  if (filter.actorId) and.push(`e."actorId" = ${literal(filter.actorId)}`);
  if (filter.group) and.push(`e."action" IN (${ACTION_GROUPS[filter.group].map(literal).join(', ')})`);
  if (filter.from) and.push(`e."occurredAt" >= ${literal(filter.from)}::timestamptz`);
  if (filter.to) and.push(`e."occurredAt" <= ${literal(filter.to)}::timestamptz`);
  return and.join(' AND ');
}

/** What a list of events reads: enough to say each in a sentence (its owners snapshot and hashes are a click away). */
export const listedSelect = {
  seq: true,
  occurredAt: true,
  recordedAt: true,
  action: true,
  actorType: true,
  actorId: true,
  agentId: true,
  credentialId: true,
  details: true,
} satisfies Prisma.AuditEventSelect;
export type ListedEvent = Prisma.AuditEventGetPayload<{ select: typeof listedSelect }>;

/** An event as stored, with the owners at the time and its hashes: the details dialog, the API, exports. */
export const eventSelect = {
  ...listedSelect,
  owners: true,
  prevHash: true,
  hash: true,
} satisfies Prisma.AuditEventSelect;
export type StoredEvent = Prisma.AuditEventGetPayload<{ select: typeof eventSelect }>;

/** An event as a sentence, with the names it mentions. */
export type Described<E extends ListedEvent> = Omit<E, 'seq'> & {
  seq: string;
  group: ActionGroup | null;
  sentence: string;
  actor: string;
  agent: { slug: string; name: string } | null;
  credential: { id: string; name: string } | null;
};
export type TimelineEvent = Described<ListedEvent>;

type Person = { id: string; name: string | null; roles: Role[] };
type Names = {
  user: Map<string, Person>;
  agent: Map<string, { slug: string; name: string }>;
  credential: Map<string, { id: string; name: string }>;
  exception: Map<string, { type: string; hours: number }>;
  token: Map<string, string>;
};

/** Names already looked up, kept across the batches of one long read (an export); each map is bounded. */
export function nameCache(): Names {
  return { user: new Map(), agent: new Map(), credential: new Map(), exception: new Map(), token: new Map() };
}
const CACHE_LIMIT = 200_000;

/** Events as sentences: the names they mention are looked up once per page (or once per export, with a cache). */
export async function describeEvents<E extends ListedEvent>(
  db: Db,
  events: E[],
  names: Names = nameCache(),
): Promise<Described<E>[]> {
  const ids = <K>(cached: Map<string, K>, pick: (e: E) => (string | null | undefined)[]) => [
    ...new Set(events.flatMap(pick).filter((v): v is string => Boolean(v) && !cached.has(v!))),
  ];
  const wanted = {
    user: ids(names.user, (e) => [e.actorType === 'USER' ? e.actorId : null, detail(e, 'userId')]),
    agent: ids(names.agent, (e) => [e.agentId]),
    credential: ids(names.credential, (e) => [e.credentialId]),
    exception: ids(names.exception, (e) => [detail(e, 'exceptionId')]),
    token: ids(names.token, (e) => [e.actorType === 'API_TOKEN' ? e.actorId : null]),
  };
  const found = Object.values(wanted).some((list) => list.length > 0) ? await lookUpNames(db, wanted) : [];
  // Each row is the shape its map holds: lookUpNames builds it so.
  const remember = <K>(kind: keyof Names, map: Map<string, K>) => {
    const rows = found.filter((r) => r.kind === kind);
    if (map.size + rows.length > CACHE_LIMIT) map.clear();
    for (const r of rows) map.set(r.id, r.v as K);
  };
  remember('user', names.user);
  remember('agent', names.agent);
  remember('credential', names.credential);
  remember('exception', names.exception);
  remember('token', names.token);
  return events.map((e) => describeWith(names, e));
}

const detail = (e: ListedEvent, key: string) =>
  (e.details as Record<string, unknown> | null)?.[key] as string | undefined;

/** One event as a sentence, with the names it mentions taken from `names` (those missing read as unknown). */
function describeWith<E extends ListedEvent>(names: Names, e: E): Described<E> {
  const { user, agent, credential, exception, token } = names;
  const person = e.actorType === 'USER' ? user.get(e.actorId ?? '') : undefined;
  const actor = {
    type: e.actorType,
    name:
      e.actorType === 'USER'
        ? (person?.name ?? 'Unknown person')
        : e.actorType === 'API_TOKEN'
          ? (token.get(e.actorId ?? '') ?? e.actorId)
          : e.actorId,
    roles: (person?.roles ?? []) as Role[],
  };
  const a = e.agentId ? (agent.get(e.agentId) ?? null) : null;
  const c = e.credentialId ? (credential.get(e.credentialId) ?? null) : null;
  const sentence = describeEvent(e.action, e.details, {
    actor,
    agent: a?.name ?? null,
    credential: c?.name ?? null,
    exception: exception.get(detail(e, 'exceptionId') ?? '') ?? null,
    person: (id) => (id ? (user.get(id)?.name ?? null) : null),
  });
  // The fields the event lacks go before its spread, as in toRow (lib/agents/list.ts); `seq` replaces one, so it
  // may follow. row-shape.test.ts holds it.
  return {
    group: groupOf(e.action),
    sentence,
    actor: actor.name ?? 'System',
    agent: a,
    credential: c,
    ...e,
    seq: e.seq.toString(),
  };
}

type NameRow = { kind: keyof Names; id: string; v: unknown };

/**
 * The names a page of events mentions, in one statement (five lookups as five queries cost a page five round trips
 * and Prisma's work on each): people with their roles, agents, credentials, exceptions with their length, tokens.
 */
function lookUpNames(db: Db, ids: Record<keyof Names, string[]>): Promise<NameRow[]> {
  return db.$queryRaw<NameRow[]>(
    prepared(Prisma.sql`
    SELECT 'user' AS "kind", u."id", ${SHAPE.user} AS "v" FROM "User" u WHERE u."id" = ANY(${ids.user}::text[])
    UNION ALL SELECT 'agent', a."id", ${SHAPE.agent} FROM "Agent" a WHERE a."id" = ANY(${ids.agent}::text[])
    UNION ALL SELECT 'credential', c."id", ${SHAPE.credential}
    FROM "Credential" c WHERE c."id" = ANY(${ids.credential}::text[])
    UNION ALL SELECT 'exception', x."id", ${SHAPE.exception}
    FROM "Exception" x WHERE x."id" = ANY(${ids.exception}::text[])
    UNION ALL SELECT 'token', t."id", to_json(${SHAPE.token})
    FROM "ApiToken" t WHERE t."id" = ANY(${ids.token}::text[])`),
  );
}

/** What each name map holds, as SQL over its table's alias: one shape for lookUpNames and for NAME_COLUMNS. */
const SHAPE = {
  user: Prisma.sql`json_build_object('id', u."id", 'name', u."name", 'roles', u."roles")`,
  agent: Prisma.sql`json_build_object('slug', a."slug", 'name', a."name")`,
  credential: Prisma.sql`json_build_object('id', c."id", 'name', c."name")`,
  exception: Prisma.sql`json_build_object('type', x."type",
    'hours', round(extract(epoch FROM x."expiresAt" - x."startsAt") / 3600)::int)`,
  token: Prisma.sql`t."name"`,
};

/**
 * One page of the custody timeline, newest first, by keyset on seq: the page
 * after `before` is found through the index, never by counting past rows, so
 * the ten-thousandth page costs what the first does.
 */
export async function listTimeline(actor: Actor, query: TimelineQuery): Promise<TimelinePage> {
  requirePermission(actor, 'audit.read');
  return queryTimeline(query);
}

export type TimelinePage<E = TimelineEvent> = { rows: E[]; next: string | null; prev: string | null };

/** The console's page, for callers that authorised it another way: each event as a sentence. */
export function queryTimeline(query: TimelineQuery): Promise<TimelinePage> {
  return timelinePage<ListedEvent>(query, LISTED_COLUMNS);
}

/** The page as the API gives it (an API token's audit:read scope): each event with its owners and hashes too. */
export function queryStoredTimeline(query: TimelineQuery): Promise<TimelinePage<Described<StoredEvent>>> {
  return timelinePage<StoredEvent>(query, Prisma.sql`${LISTED_COLUMNS}, e."owners", e."prevHash", e."hash"`);
}

// The columns of listedSelect, in its order (a row has the keys Prisma gives, so describeWith builds one map); the seq
// as text, as the page gives it.
const LISTED_COLUMNS = Prisma.sql`e."seq"::text AS "seq", e."occurredAt", e."recordedAt", e."action",
  e."actorType"::text AS "actorType", e."actorId", e."agentId", e."credentialId", e."details"`;

// The names an event mentions, read beside it (lookUpNames' shapes): a subquery per row runs only for the rows the
// limit lets through.
const NAME_COLUMNS = Prisma.sql`
  (SELECT ${SHAPE.user} FROM "User" u WHERE e."actorType" = 'USER' AND u."id" = e."actorId") AS "nActor",
  (SELECT ${SHAPE.user} FROM "User" u WHERE u."id" = e."details"->>'userId') AS "nUser",
  (SELECT ${SHAPE.agent} FROM "Agent" a WHERE a."id" = e."agentId") AS "nAgent",
  (SELECT ${SHAPE.credential} FROM "Credential" c WHERE c."id" = e."credentialId") AS "nCredential",
  (SELECT ${SHAPE.exception} FROM "Exception" x WHERE x."id" = e."details"->>'exceptionId') AS "nException",
  (SELECT ${SHAPE.token} FROM "ApiToken" t WHERE e."actorType" = 'API_TOKEN' AND t."id" = e."actorId") AS "nToken"`;

type NamedRow<E extends ListedEvent> = Omit<E, 'seq'> & {
  seq: string;
  nActor: Person | null;
  nUser: Person | null;
  nAgent: { slug: string; name: string } | null;
  nCredential: { id: string; name: string } | null;
  nException: { type: string; hours: number } | null;
  nToken: string | null;
};

/**
 * The filter as SQL over `e` with bound values, the agent found by its slug inside the statement (no agent by that
 * slug: no events). timelineWhere's conditions, on the same (column, seq) indexes.
 */
function timelineFilterSql(query: TimelineQuery, seq: Prisma.Sql | null): Prisma.Sql {
  const and: Prisma.Sql[] = [];
  if (query.agent) and.push(Prisma.sql`e."agentId" = (SELECT a."id" FROM "Agent" a WHERE a."slug" = ${query.agent})`);
  if (query.credential) and.push(Prisma.sql`e."credentialId" = ${query.credential}`);
  if (query.actor) and.push(Prisma.sql`e."actorId" = ${query.actor}`);
  if (query.group) and.push(Prisma.sql`e."action" IN (${Prisma.join([...ACTION_GROUPS[query.group]])})`);
  const { from, to } = dayBounds(query);
  if (from) and.push(Prisma.sql`e."occurredAt" >= ${from.toISOString()}::timestamptz`);
  if (to) and.push(Prisma.sql`e."occurredAt" <= ${to.toISOString()}::timestamptz`);
  if (seq) and.push(seq);
  return and.length > 0 ? Prisma.join(and, ' AND ') : Prisma.sql`true`;
}

/**
 * A page in one statement: the agent's id, the events and the names they mention together (three statements each
 * cost a round trip and Prisma's work, and each added its own tail to the page's), on the read source's pool
 * (poolRows). Prepared: the texts are the few filter combinations.
 */
async function timelinePage<E extends ListedEvent>(
  query: TimelineQuery,
  columns: Prisma.Sql,
): Promise<TimelinePage<Described<E>>> {
  const { db } = await readSource();
  // The previous page: the `size` events just newer than the cursor, read upwards, shown newest first.
  const upwards = Boolean(query.newer && !query.before);
  const seq = upwards
    ? Prisma.sql`e."seq" > ${query.newer}::bigint`
    : query.before
      ? Prisma.sql`e."seq" < ${query.before}::bigint`
      : null;
  const rows = await readDescribed<E>(db, columns, timelineFilterSql(query, seq), upwards, query.size + 1);
  const page = rows.slice(0, query.size);
  if (upwards) {
    page.reverse();
    return {
      rows: page,
      next: page.length > 0 ? page[page.length - 1]!.seq : null,
      prev: rows.length > query.size ? page[0]!.seq : null,
    };
  }
  return {
    rows: page,
    next: rows.length > query.size ? page[page.length - 1]!.seq : null,
    prev: query.before && page.length > 0 ? page[0]!.seq : null,
  };
}

/** Up to `limit` events matching `where` (SQL over `e`) by seq, described, in one statement on `db`'s pool. */
async function readDescribed<E extends ListedEvent>(
  db: Db,
  columns: Prisma.Sql,
  where: Prisma.Sql,
  ascending: boolean,
  limit: number,
): Promise<Described<E>[]> {
  const rows = await poolRows<NamedRow<E>>(
    db,
    Prisma.sql`SELECT ${columns}, ${NAME_COLUMNS} FROM "AuditEvent" e WHERE ${where}
      ORDER BY e."seq" ${ascending ? Prisma.sql`ASC` : Prisma.sql`DESC`} LIMIT ${limit}`,
  );
  const names = nameCache();
  const events = rows.map(({ nActor, nUser, nAgent, nCredential, nException, nToken, ...event }) => {
    // Its seq is text, which describeWith turns to text anyway.
    const e = event as unknown as E;
    if (nActor) names.user.set(nActor.id, nActor);
    if (nUser) names.user.set(nUser.id, nUser);
    if (nAgent && e.agentId) names.agent.set(e.agentId, nAgent);
    if (nCredential) names.credential.set(nCredential.id, nCredential);
    if (nException) names.exception.set(detail(e, 'exceptionId')!, nException);
    if (nToken) names.token.set(e.actorId!, nToken);
    return e;
  });
  return events.map((e) => describeWith(names, e));
}

/** One agent's newest events: whoever may see the agent may see its timeline. */
export async function listAgentEvents(actor: Actor, agentId: string, limit = 20): Promise<TimelineEvent[]> {
  requirePermission(actor, 'agent.read');
  return readDescribed(getDb(), LISTED_COLUMNS, Prisma.sql`e."agentId" = ${agentId}`, false, limit);
}

/** One agent's events after `afterSeq` (what changed since then), newest first. */
export async function listAgentEventsSince(
  actor: Actor,
  agentId: string,
  afterSeq: bigint,
  limit = 100,
): Promise<TimelineEvent[]> {
  requirePermission(actor, 'agent.read');
  const where = Prisma.sql`e."agentId" = ${agentId} AND e."seq" > ${afterSeq.toString()}::bigint`;
  return readDescribed(getDb(), LISTED_COLUMNS, where, false, limit);
}
