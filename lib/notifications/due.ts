import 'server-only';
import { getDb, type Tx } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import {
  activePeople,
  AGENT_FACTS,
  agentFactsOf,
  approversToTell,
  writeOwed,
  type AgentFacts,
  type Owed,
} from './outbox';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** How many of one timer's notifications a sweep writes: the rest wait for the next minute. */
const PER_SWEEP = 1_000;

/** The warnings before an exception in force ends: each only for a window longer than its lead. */
const ENDING = [
  { lead: HOUR, mark: '1h', within: '1 hour' },
  { lead: DAY, mark: '24h', within: '24 hours' },
] as const;

/** Break-glass requests undecided for 15 minutes: the approvers (and the escalation contact) are told again, once. */
async function pendingBreakGlass(tx: Tx, now: Date): Promise<Owed[]> {
  const rows = await tx.$queryRaw<
    (AgentFacts & { id: string; requestedById: string; by: string | null; expiresAt: Date })[]
  >`
    SELECT e."id", e."requestedById", u."name" AS "by", e."expiresAt", ${AGENT_FACTS}
    FROM "Exception" e JOIN "Agent" a ON a."id" = e."agentId" JOIN "User" u ON u."id" = e."requestedById"
    WHERE e."status" = 'PENDING' AND e."type" = 'BREAK_GLASS'
      AND e."createdAt" <= ${new Date(now.getTime() - 15 * MINUTE)}
      AND NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n."cause" = 'breakglass.pending:' || e."id")
    ORDER BY e."createdAt" LIMIT ${PER_SWEEP}`;
  const owed: Owed[] = [];
  for (const r of rows) {
    owed.push({
      kind: 'breakglass.pending',
      cause: `breakglass.pending:${r.id}`,
      agentId: r.agentId,
      payload: {
        ...agentFactsOf(r),
        exceptionId: r.id,
        exceptionType: 'BREAK_GLASS',
        by: r.by ?? 'someone',
        lapsesAt: r.expiresAt.toISOString(),
      },
      to: await approversToTell(tx, r.agentId, r.requestedById, true),
    });
  }
  return owed;
}

/** Exceptions in force that end within a warning's lead: the requester and the owner, once per warning. */
async function endingExceptions(tx: Tx, now: Date): Promise<Owed[]> {
  const owed: Owed[] = [];
  for (const { lead, mark, within } of ENDING) {
    const rows = await tx.$queryRaw<
      (AgentFacts & { id: string; type: string; requestedById: string; ownerId: string | null; expiresAt: Date })[]
    >`
      SELECT e."id", e."type"::text AS "type", e."requestedById", a."ownerId", e."expiresAt", ${AGENT_FACTS}
      FROM "Exception" e JOIN "Agent" a ON a."id" = e."agentId"
      WHERE e."status" = 'APPROVED' AND e."startsAt" <= ${now} AND e."expiresAt" > ${now}
        AND e."expiresAt" <= ${new Date(now.getTime() + lead)}
        AND e."expiresAt" - e."startsAt" > ${lead} * interval '1 millisecond'
        AND NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n."cause" = 'exception.ending:' || e."id" || ${`:${mark}`})
      ORDER BY e."expiresAt" LIMIT ${PER_SWEEP}`;
    for (const r of rows) {
      owed.push({
        kind: 'exception.ending',
        cause: `exception.ending:${r.id}:${mark}`,
        agentId: r.agentId,
        payload: {
          ...agentFactsOf(r),
          exceptionId: r.id,
          exceptionType: r.type,
          endsAt: r.expiresAt.toISOString(),
          within,
        },
        to: await activePeople(tx, [r.requestedById, r.ownerId]),
      });
    }
  }
  return owed;
}

/** Open reviews due within 7 days (and not assigned within them), and overdue ones: the reviewer, once per due date. */
async function dueReviews(tx: Tx, now: Date): Promise<Owed[]> {
  const owed: Owed[] = [];
  for (const kind of ['review.due', 'review.overdue'] as const) {
    const window =
      kind === 'review.due'
        ? Prisma.sql`r."dueAt" > ${now} AND r."dueAt" <= ${new Date(now.getTime() + 7 * DAY)}
            AND r."dueAt" - r."createdAt" > interval '7 days'`
        : Prisma.sql`r."dueAt" <= ${now}`;
    const rows = await tx.$queryRaw<(AgentFacts & { id: string; reviewerId: string; dueAt: Date })[]>`
      SELECT r."id", r."reviewerId", r."dueAt", ${AGENT_FACTS}
      FROM "Review" r JOIN "Agent" a ON a."id" = r."agentId" JOIN "User" u ON u."id" = r."reviewerId" AND u."active"
      WHERE r."completedAt" IS NULL AND ${window}
        AND NOT EXISTS (SELECT 1 FROM "Notification" n WHERE n."cause" =
          ${`${kind}:`} || r."id" || ':' || (extract(epoch FROM r."dueAt") * 1000)::bigint || ':' || r."reviewerId")
      ORDER BY r."dueAt" LIMIT ${PER_SWEEP}`;
    for (const r of rows) {
      owed.push({
        kind,
        // Per reviewer: a review passed on after its reminder reminds the new reviewer too.
        cause: `${kind}:${r.id}:${r.dueAt.getTime()}:${r.reviewerId}`,
        agentId: r.agentId,
        payload: { ...agentFactsOf(r), reviewId: r.id, dueAt: r.dueAt.toISOString() },
        to: [{ userId: r.reviewerId }],
      });
    }
  }
  return owed;
}

/** Open campaigns closing within 3 days: each reviewer with open items in it, once. */
async function campaignDeadlines(tx: Tx, now: Date): Promise<Owed[]> {
  const rows = await tx.$queryRaw<
    { campaignId: string; campaignName: string; deadline: Date; reviewerId: string; open: number }[]
  >`
    SELECT c."id" AS "campaignId", c."name" AS "campaignName", c."deadline", r."reviewerId", count(*)::int AS "open"
    FROM "ReviewCampaign" c JOIN "Review" r ON r."campaignId" = c."id" AND r."completedAt" IS NULL
    JOIN "User" u ON u."id" = r."reviewerId" AND u."active"
    WHERE c."status" = 'OPEN' AND c."deadline" > ${now} AND c."deadline" <= ${new Date(now.getTime() + 3 * DAY)}
      AND NOT EXISTS (SELECT 1 FROM "Notification" n
        WHERE n."dedupKey" = 'campaign.deadline:' || c."id" || '|user:' || r."reviewerId")
    GROUP BY c."id", c."name", c."deadline", r."reviewerId"
    ORDER BY c."deadline" LIMIT ${PER_SWEEP}`;
  return rows.map((r) => ({
    kind: 'campaign.deadline',
    cause: `campaign.deadline:${r.campaignId}`,
    payload: {
      campaignId: r.campaignId,
      campaignName: r.campaignName,
      deadline: r.deadline.toISOString(),
      open: r.open,
    },
    to: [{ userId: r.reviewerId }],
  }));
}

/**
 * The timers' notifications: what has come due since the last sweep (a minute ago), each written once whichever
 * instance sweeps. Returns how many were written.
 */
export async function oweDue(now = new Date()): Promise<number> {
  return getDb().$transaction(
    async (tx) => {
      const owed = [
        ...(await pendingBreakGlass(tx, now)),
        ...(await endingExceptions(tx, now)),
        ...(await dueReviews(tx, now)),
        ...(await campaignDeadlines(tx, now)),
      ];
      return writeOwed(tx, owed);
    },
    { timeout: 120_000 },
  );
}
