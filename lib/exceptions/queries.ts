import 'server-only';
import { cache } from 'react';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { cappedCount, keysetPage, keysetParams } from '@/lib/db/keyset';
import { prepared } from '@/lib/db/prepared';
import { Prisma } from '@/lib/generated/prisma/client';
import type { ExceptionStatus, ExceptionType } from '@/lib/generated/prisma/enums';
import { EXCEPTION_TYPE, valuesOf } from '@/lib/vocabulary';
import { awaitingRotation } from './rotation';

const rowSelect = {
  id: true,
  type: true,
  status: true,
  startsAt: true,
  expiresAt: true,
  endedAt: true,
  createdAt: true,
  requiredApprovals: true,
  justification: true,
  noCredentialReason: true,
  agent: { select: { slug: true, name: true, riskTier: true } },
  credentials: {
    select: { credential: { select: { id: true, name: true } } },
    orderBy: { credential: { name: 'asc' } },
  },
  requestedBy: { select: { id: true, name: true } },
  revokedAt: true,
  revokeReason: true,
  revokedBy: { select: { name: true } },
  decisions: {
    orderBy: { decidedAt: 'asc' },
    select: { id: true, outcome: true, reason: true, decidedAt: true, decider: { select: { id: true, name: true } } },
  },
  _count: { select: { decisions: { where: { outcome: 'APPROVE' } } } },
} satisfies Prisma.ExceptionSelect;

export type ExceptionRow = Prisma.ExceptionGetPayload<{ select: typeof rowSelect }>;

/** The head of each queue the page shows; "All N, page by page" opens the rest (a page of 100 rows was 600 kB). */
export const QUEUE_PREVIEW = 25;
export const QUEUE_VIEWS = ['pending', 'in-force'] as const;
export type QueueView = (typeof QUEUE_VIEWS)[number];
export const HISTORY_STATUSES = [
  'REJECTED',
  'WITHDRAWN',
  'LAPSED',
  'EXPIRED',
  'REVOKED',
] as const satisfies ExceptionStatus[];

/** The exceptions page's URL state: the tab, the queue's narrowing, the history's filters, a keyset cursor. */
export const ExceptionListQuerySchema = z.object({
  tab: z.enum(['queue', 'history']).catch('queue').default('queue'),
  show: z.enum(QUEUE_VIEWS).optional().catch(undefined),
  within: z.coerce
    .number()
    .pipe(z.union([z.literal(24), z.literal(168)]))
    .optional()
    .catch(undefined),
  type: z.enum(valuesOf(EXCEPTION_TYPE)).optional().catch(undefined),
  status: z.enum(HISTORY_STATUSES).optional().catch(undefined),
  agent: z.string().trim().max(100).optional().catch(undefined),
  ...keysetParams,
});
export type ExceptionListQuery = z.infer<typeof ExceptionListQuerySchema>;

/** The last moment an in-force exception may end to be listed: `withinHours` from now, or none. */
const endsBy = (withinHours: number | undefined, now: Date) =>
  withinHours ? new Date(now.getTime() + withinHours * 3_600_000) : null;

function queueWhere(view: QueueView, withinHours: number | undefined, now: Date): Prisma.ExceptionWhereInput {
  if (view === 'pending') return { status: 'PENDING', expiresAt: { gt: now } };
  const until = endsBy(withinHours, now);
  return { status: 'APPROVED', expiresAt: { gt: now, ...(until ? { lte: until } : {}) } };
}

/** queueWhere over `e` in SQL, for the queue heads' one statement. */
function queueCondition(view: QueueView, withinHours: number | undefined, now: Date): Prisma.Sql {
  if (view === 'pending') return Prisma.sql`e."status" = 'PENDING' AND e."expiresAt" > ${now}`;
  const until = endsBy(withinHours, now);
  return Prisma.sql`e."status" = 'APPROVED' AND e."expiresAt" > ${now}
    AND (${until}::timestamptz IS NULL OR e."expiresAt" <= ${until}::timestamptz)`;
}

/**
 * The PAM queue: pending oldest first, then those in force by expiry (only
 * those ending within `within` hours, when given), the first QUEUE_PREVIEW of each with
 * their full counts. Expired ones never show as active.
 */
export async function listExceptionQueue(actor: Actor, withinHours?: number, now = new Date()) {
  requirePermission(actor, 'agent.read');
  const [pending, active, pendingTotal, activeTotal] = await Promise.all([
    queueHead('pending', undefined, now),
    queueHead('in-force', withinHours, now),
    countQueue(getDb(), 'pending', now),
    countQueue(getDb(), 'in-force', now, withinHours),
  ]);
  return { pending, active, pendingTotal, activeTotal };
}

/** How many exceptions a queue holds: the navigation's and the dashboard's figures count the lists they open. */
export function countQueue(db: Db, view: QueueView, now: Date, withinHours?: number): Promise<number> {
  return db.exception.count({ where: queueWhere(view, withinHours, now) });
}

type HeadRow = Omit<ExceptionRow, 'decisions'> & {
  decisions: (Omit<ExceptionRow['decisions'][number], 'decidedAt'> & { decidedAt: string })[];
};

/**
 * The first QUEUE_PREVIEW rows of a queue in one statement, as rowSelect reads them: Prisma loads each relation of
 * the row with a query of its own (five round trips and their merging for a queue the PAM approvers open all day).
 * `lib/exceptions/queries.test.ts` holds it to rowSelect's answer.
 */
async function queueHead(view: QueueView, withinHours: number | undefined, now: Date): Promise<ExceptionRow[]> {
  // Pending oldest first; in force soonest to end first (as listQueueView pages them).
  const order = view === 'pending' ? Prisma.sql`e."createdAt", e."id"` : Prisma.sql`e."expiresAt", e."id"`;
  const rows = await getDb().$queryRaw<HeadRow[]>(
    prepared(Prisma.sql`
    SELECT e."id", e."type", e."status", e."startsAt", e."expiresAt", e."endedAt", e."createdAt",
      e."requiredApprovals", e."justification", e."noCredentialReason", e."revokedAt", e."revokeReason",
      json_build_object('slug', a."slug", 'name', a."name", 'riskTier', a."riskTier") AS "agent",
      COALESCE((SELECT json_agg(json_build_object('credential', json_build_object('id', c."id", 'name', c."name"))
          ORDER BY c."name")
        FROM "ExceptionCredential" ec JOIN "Credential" c ON c."id" = ec."credentialId"
        WHERE ec."exceptionId" = e."id"), '[]') AS "credentials",
      json_build_object('id', rq."id", 'name', rq."name") AS "requestedBy",
      CASE WHEN rv."id" IS NULL THEN NULL ELSE json_build_object('name', rv."name") END AS "revokedBy",
      COALESCE((SELECT json_agg(json_build_object('id', d."id", 'outcome', d."outcome", 'reason', d."reason",
          'decidedAt', d."decidedAt", 'decider', json_build_object('id', u."id", 'name', u."name"))
          ORDER BY d."decidedAt")
        FROM "ExceptionDecision" d JOIN "User" u ON u."id" = d."deciderId"
        WHERE d."exceptionId" = e."id"), '[]') AS "decisions",
      json_build_object('decisions', (SELECT count(*)::int FROM "ExceptionDecision" d
        WHERE d."exceptionId" = e."id" AND d."outcome" = 'APPROVE')) AS "_count"
    FROM "Exception" e
    JOIN "Agent" a ON a."id" = e."agentId"
    JOIN "User" rq ON rq."id" = e."requestedById"
    LEFT JOIN "User" rv ON rv."id" = e."revokedById"
    WHERE ${queueCondition(view, withinHours, now)} ORDER BY ${order} LIMIT ${QUEUE_PREVIEW}`),
  );
  return rows.map((r) => ({ ...r, decisions: r.decisions.map((d) => ({ ...d, decidedAt: new Date(d.decidedAt) })) }));
}

/** One queue list on its own (what a dashboard figure opens), paged by keyset, with its full count. */
export async function listQueueView(actor: Actor, view: QueueView, query: ExceptionListQuery, now = new Date()) {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const where = queueWhere(view, view === 'in-force' ? query.within : undefined, now);
  const field = view === 'pending' ? 'createdAt' : 'expiresAt';
  const [page, total] = await Promise.all([
    keysetPage<ExceptionRow>({
      query,
      field,
      dir: 'asc',
      value: (row) => (view === 'pending' ? row.createdAt : row.expiresAt),
      find: ({ where: cursor, orderBy, take }) =>
        db.exception.findMany({ where: { AND: [where, cursor] }, orderBy, take, select: rowSelect }),
    }),
    db.exception.count({ where }),
  ]);
  return { ...page, total };
}

/** Everything decided, withdrawn, expired or revoked — browsable forever, newest change first. */
export async function listExceptionHistory(actor: Actor, query: ExceptionListQuery, now = new Date()) {
  requirePermission(actor, 'agent.read');
  const ended: Prisma.ExceptionWhereInput = {
    OR: [
      { status: { in: [...HISTORY_STATUSES] } },
      { status: { in: ['APPROVED', 'PENDING'] }, expiresAt: { lte: now } },
    ],
  };
  const where: Prisma.ExceptionWhereInput = {
    AND: [
      ended,
      ...(query.type ? [{ type: query.type }] : []),
      ...(query.status === 'EXPIRED'
        ? [{ OR: [{ status: 'EXPIRED' as const }, { status: 'APPROVED' as const, expiresAt: { lte: now } }] }]
        : query.status === 'LAPSED'
          ? [{ OR: [{ status: 'LAPSED' as const }, { status: 'PENDING' as const, expiresAt: { lte: now } }] }]
          : query.status
            ? [{ status: query.status }]
            : []),
      ...(query.agent ? [{ agent: { slug: query.agent } }] : []),
    ],
  };
  const db = getDb();
  const [page, count] = await Promise.all([
    keysetPage<ExceptionRow & { updatedAt: Date }>({
      query,
      field: 'updatedAt',
      dir: 'desc',
      value: (row) => row.updatedAt,
      find: ({ where: cursor, orderBy, take }) =>
        db.exception.findMany({
          where: { AND: [where, cursor] },
          orderBy,
          take,
          select: { ...rowSelect, updatedAt: true },
        }),
    }),
    cappedCount(({ take }) => db.exception.count({ where, take })),
  ]);
  return { ...page, ...count };
}

async function readExceptionDetail(actor: Actor, id: string) {
  requirePermission(actor, 'agent.read');
  const exception = await getDb().exception.findUnique({
    where: { id },
    select: {
      ...rowSelect,
      agentId: true,
    },
  });
  if (!exception) return null;
  const events = await getDb().auditEvent.findMany({
    where: { agentId: exception.agentId, details: { path: ['exceptionId'], equals: id } },
    orderBy: { seq: 'asc' },
    select: { seq: true, action: true, occurredAt: true, actorId: true, actorType: true, owners: true, details: true },
  });
  // A break-glass that ended opened (or joined) the agent's post-incident review: the one open across its end.
  const ended = exception.endedAt ?? exception.revokedAt;
  const postIncidentReview =
    exception.type === 'BREAK_GLASS' && ended
      ? await getDb().review.findFirst({
          where: {
            agentId: exception.agentId,
            triggers: { has: 'POST_INCIDENT' },
            createdAt: { lte: new Date(ended.getTime() + 60_000) },
            OR: [{ completedAt: null }, { completedAt: { gte: ended } }],
          },
          orderBy: { createdAt: 'desc' },
          select: { id: true, completedAt: true, outcome: true },
        })
      : null;
  const awaiting = exception.type === 'BREAK_GLASS' ? await awaitingRotation(getDb(), { exceptionId: id }) : [];
  return { ...exception, events, postIncidentReview, awaitingRotation: awaiting };
}

/** The credentials an agent's ended break-glass exceptions covered that still await rotation. */
export async function listAwaitingRotation(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  return awaitingRotation(getDb(), { agentId });
}

/** An agent's latest 50 exceptions, newest first. */
export async function listAgentExceptions(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  // One statement: Prisma's relation query would send a second one, even for an agent with no exceptions.
  const rows = await getDb().$queryRaw<
    {
      id: string;
      type: ExceptionType;
      status: ExceptionStatus;
      startsAt: Date;
      expiresAt: Date;
      requestedByName: string;
    }[]
  >`
    SELECT e."id", e."type"::text AS "type", e."status"::text AS "status", e."startsAt", e."expiresAt",
           u."name" AS "requestedByName"
    FROM "Exception" e JOIN "User" u ON u."id" = e."requestedById"
    WHERE e."agentId" = ${agentId}
    ORDER BY e."createdAt" DESC, e."id" DESC
    LIMIT 50`;
  return rows.map(({ requestedByName, ...e }) => ({ requestedBy: { name: requestedByName }, ...e })); // as in toRow
}

/** Cached per request: a record route's layout (404 before streaming) and its page share one read. */
export const getExceptionDetail = cache(readExceptionDetail);
