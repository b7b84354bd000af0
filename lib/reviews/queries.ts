import 'server-only';
import { cache } from 'react';
import { z } from 'zod';
import { type AuditDetailsByAction } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { cappedCount, keysetPage, keysetParams, unionFind, type Find } from '@/lib/db/keyset';
import { prepared } from '@/lib/db/prepared';
import { reusedUntilChange } from '@/lib/db/reused';
import { awaitingRotation } from '@/lib/exceptions/rotation';
import { Prisma } from '@/lib/generated/prisma/client';
import type { ReviewOutcome, ReviewTrigger } from '@/lib/generated/prisma/enums';
import { getSettings } from '@/lib/settings';
import { campaignProgress } from './campaigns';
import { reviewerProblem } from './reviewer';
import { REVIEW_VIEWS, type ReviewView } from './schema';
import { reviewSubject } from './subject';

const DAY = 86_400_000;

const person = { select: { id: true, name: true, active: true } } as const;
const rowSelect = {
  id: true,
  triggers: true,
  dueAt: true,
  completedAt: true,
  outcome: true,
  agent: { select: { slug: true, name: true, riskTier: true, status: true, owner: person } },
  reviewer: person,
  campaign: { select: { id: true, name: true } },
} satisfies Prisma.ReviewSelect;
export type ReviewRow = Prisma.ReviewGetPayload<{ select: typeof rowSelect }>;

/**
 * A view's reviews as disjoint branches, each one indexed query. "Mine" is two: those I am assigned to review, and
 * the open reviews of agents I own that someone else (or nobody) reviews, read from my agents (ownedOpenReviews).
 */
type Branch = { where: Prisma.ReviewWhereInput } | { ownedBy: string };

function viewBranches(view: ReviewView, actor: Actor, now: Date, leadDays: number): Branch[] {
  switch (view) {
    case 'mine':
      return [{ where: { completedAt: null, reviewerId: actor.id } }, { ownedBy: actor.id }];
    case 'due-soon':
      return [{ where: { completedAt: null, dueAt: { gte: now, lte: new Date(now.getTime() + leadDays * DAY) } } }];
    case 'overdue':
      return [{ where: { completedAt: null, dueAt: { lt: now } } }];
    case 'open':
      return [{ where: { completedAt: null } }];
    case 'completed':
      return [{ where: { completedAt: { not: null } } }];
  }
}

/**
 * The open reviews of the agents `ownerId` owns, reviewed by someone else or nobody: from the owner's agents to each
 * one's open review by its unique key (an agent has at most one). Joined from the review side, the planner hashes
 * every open review in the registry (11 ms at 100k agents, where this reads an owner of 2,500 agents in 4); LIMIT 1
 * keeps the lookup from being flattened into that join.
 */
function ownedOpenReviews(ownerId: string): Prisma.Sql {
  return Prisma.sql`FROM "Agent" a CROSS JOIN LATERAL (
      SELECT r."id", r."dueAt", r."reviewerId" FROM "Review" r
      WHERE r."openForAgent" = a."id" AND r."completedAt" IS NULL LIMIT 1) r
    WHERE a."ownerId" = ${ownerId} AND (r."reviewerId" IS NULL OR r."reviewerId" <> ${ownerId})`;
}

function countBranch(db: Db, branch: Branch, take: number): Promise<number> {
  if ('where' in branch) return db.review.count({ where: branch.where, take });
  return db
    .$queryRaw<{ n: number }[]>(
      prepared(Prisma.sql`SELECT count(*)::int AS "n" FROM (SELECT 1 ${ownedOpenReviews(branch.ownedBy)}
        LIMIT ${take}) t`),
    )
    .then((rows) => rows[0]!.n);
}

/** A branch's page of open reviews, soonest due first (the owned branch is never asked for completed ones). */
function findBranch(db: Db, branch: Branch): Find<ReviewRow> {
  if ('where' in branch) {
    return ({ where: cursor, orderBy, take }) =>
      db.review.findMany({ where: { AND: [branch.where, cursor] }, orderBy, take, select: rowSelect });
  }
  return async ({ orderBy, take, boundary }) => {
    const first = Object.values(orderBy[0]!)[0]!;
    const dir = Prisma.raw((typeof first === 'string' ? first : first.sort) === 'desc' ? 'DESC' : 'ASC');
    const beyond = boundary
      ? Prisma.sql`AND (r."dueAt", r."id") ${Prisma.raw(boundary.beyond === 'gt' ? '>' : '<')}
          (${boundary.value}::timestamptz, ${boundary.id})`
      : Prisma.empty;
    const ids = await db.$queryRaw<{ id: string }[]>(
      prepared(Prisma.sql`SELECT r."id" ${ownedOpenReviews(branch.ownedBy)} ${beyond}
        ORDER BY r."dueAt" ${dir}, r."id" ${dir} LIMIT ${take}`),
    );
    // Still open: one completed between the two reads leaves the page rather than show there as completed.
    const rows = await db.review.findMany({
      where: { id: { in: ids.map((r) => r.id) }, completedAt: null },
      select: rowSelect,
    });
    const at = new Map(ids.map((r, i) => [r.id, i]));
    return rows.sort((a, b) => at.get(a.id)! - at.get(b.id)!);
  };
}

/** The reviews queue's URL state: the view and a keyset cursor. */
export const ReviewListQuerySchema = z.object({
  view: z.enum(REVIEW_VIEWS).catch('mine').default('mine'),
  ...keysetParams,
});
export type ReviewListQuery = z.infer<typeof ReviewListQuerySchema>;

type Count = { total: number; capped: boolean };
const SHARED_VIEWS = REVIEW_VIEWS.filter((v) => v !== 'mine');

/**
 * One view of the reviews queue, paged by keyset (open: soonest due first; completed: latest first), with every view's
 * count (capped).
 */
export async function listReviews(actor: Actor, query: ReviewListQuery) {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const now = new Date();
  const { reviewTiming } = await getSettings(db);
  const branches = (v: ReviewView) => viewBranches(v, actor, now, reviewTiming.leadDays);
  // Branches are disjoint: a view's count is the sum of theirs.
  const count = (v: ReviewView) =>
    cappedCount(async ({ take }) =>
      (await Promise.all(branches(v).map((branch) => countBranch(db, branch, take)))).reduce((a, b) => a + b, 0),
    );
  const completed = query.view === 'completed';
  const value = (row: ReviewRow) => (completed ? row.completedAt! : row.dueAt);
  const [page, mine, shared] = await Promise.all([
    keysetPage<ReviewRow>({
      query,
      field: completed ? 'completedAt' : 'dueAt',
      dir: completed ? 'desc' : 'asc',
      value,
      find: unionFind(
        value,
        branches(query.view).map((branch) => findBranch(db, branch)),
      ),
    }),
    count('mine'),
    // The other tabs count the same for everyone: reused until the registry changes (a due date passing shows within a
    // minute: lib/db/reused.ts). Each count stops at COUNT_CAP ("10,000+"): completed reviews only grow.
    reusedUntilChange(db, `reviews:counts:${reviewTiming.leadDays}`, () => Promise.all(SHARED_VIEWS.map(count))),
  ]);
  return {
    ...page,
    counts: { mine, ...Object.fromEntries(SHARED_VIEWS.map((v, i) => [v, shared[i]!])) } as Record<ReviewView, Count>,
    timeZone: reviewTiming.timeZone,
  };
}

/** Open reviews past their due date, for the navigation. */
export async function countOverdueReviews(now = new Date(), db: Db = getDb()): Promise<number> {
  return db.review.count({ where: { completedAt: null, dueAt: { lt: now } } });
}

/**
 * A review with what its reviewer needs: the agent's purposes, control
 * owners, credentials and open exceptions, what changed since the last
 * completed review, and whether this actor may complete it (and if not, why).
 */
async function readReviewDetail(actor: Actor, reviewId: string, now = new Date()) {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const review = await db.review.findUnique({
    where: { id: reviewId },
    select: {
      ...rowSelect,
      version: true,
      notes: true,
      createdAt: true,
      agentId: true,
      completedBy: { select: { name: true } },
      reviewer: { select: { id: true, name: true, active: true, roles: true } },
    },
  });
  if (!review) return null;
  const settings = await getSettings(db);
  const agent = await db.agent.findUniqueOrThrow({
    where: { id: review.agentId },
    select: {
      id: true,
      slug: true,
      name: true,
      status: true,
      riskTier: true,
      reviewCadenceDays: true,
      nextReviewDue: true,
      ownerId: true,
      owner: person,
      controlAssignments: { select: { plane: true, user: person } },
      purposes: {
        where: { status: { not: 'EXPIRED' } },
        orderBy: { createdAt: 'asc' },
        select: { id: true, task: true, scope: true, environments: true, status: true, expiresAt: true },
      },
      credentials: {
        where: { revokedAt: null },
        orderBy: { name: 'asc' },
        select: {
          id: true,
          name: true,
          kind: true,
          issuance: true,
          storage: true,
          environment: true,
          privileged: true,
          lastRotatedAt: true,
        },
      },
      exceptions: {
        where: {
          OR: [
            { status: 'PENDING', expiresAt: { gt: now } },
            { status: 'APPROVED', expiresAt: { gt: now } },
          ],
        },
        orderBy: { expiresAt: 'asc' },
        select: {
          id: true,
          type: true,
          status: true,
          expiresAt: true,
          justification: true,
          credentials: {
            select: { credential: { select: { id: true, name: true } } },
            orderBy: { credential: { name: 'asc' } },
          },
        },
      },
    },
  });
  // The previous completed review's event marks "since the last review"; failing that, everything.
  const last = await db.auditEvent.findFirst({
    where: {
      agentId: agent.id,
      action: 'review.completed',
      NOT: { details: { path: ['reviewId'], equals: review.id } },
    },
    orderBy: { seq: 'desc' },
    select: { seq: true, occurredAt: true },
  });
  const completion = review.completedAt
    ? await db.auditEvent.findFirst({
        where: { agentId: agent.id, action: 'review.completed', details: { path: ['reviewId'], equals: review.id } },
        select: { details: true },
      })
    : null;
  const decision = (completion?.details ?? null) as AuditDetailsByAction['review.completed'] | null;
  const subject = await reviewSubject(db, agent.id, agent, review.triggers);
  const assignedProblem = review.completedAt ? null : reviewerProblem(review.reviewer, subject, settings);
  // Rotation is evidence: while a break-glass's credentials await it, the review cannot certify.
  const rotation = review.completedAt ? [] : await awaitingRotation(db, { agentId: agent.id });
  const completionProblem = review.completedAt
    ? 'This review is completed.'
    : review.reviewer?.id !== actor.id
      ? `Only the assigned reviewer${review.reviewer?.name ? `, ${review.reviewer.name},` : ''} can complete ` +
        `this review.`
      : assignedProblem;
  return {
    review,
    agent,
    /** The review's "what changed" starts after this seq (the last completed review), read by its own section. */
    changesAfterSeq: last?.seq ?? -1n,
    decision,
    lastReviewedAt: last?.occurredAt ?? null,
    completionProblem,
    reviewerProblem: assignedProblem,
    awaitingRotation: rotation,
    timeZone: settings.reviewTiming.timeZone,
  };
}

const campaignSelect = {
  id: true,
  name: true,
  filter: true,
  deadline: true,
  status: true,
  closedAt: true,
  summary: true,
  version: true,
  createdAt: true,
  startedBy: { select: { name: true } },
  _count: { select: { reviews: true } },
} satisfies Prisma.ReviewCampaignSelect;

/** Every campaign, open ones first, newest first. */
export const CampaignListQuerySchema = z.object(keysetParams);
export type CampaignListQuery = z.infer<typeof CampaignListQuerySchema>;

/** Campaigns, newest first, paged by keyset, each with its progress. */
export async function listCampaigns(actor: Actor, query: CampaignListQuery) {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const [page, total] = await Promise.all([
    keysetPage({
      query,
      field: 'createdAt',
      dir: 'desc',
      value: (row: { id: string; createdAt: Date }) => row.createdAt,
      find: ({ where, orderBy, take }) =>
        db.reviewCampaign.findMany({ where, orderBy, take, select: { ...campaignSelect, createdAt: true } }),
    }),
    db.reviewCampaign.count(),
  ]);
  const rows = await Promise.all(page.rows.map(async (c) => ({ ...c, progress: await campaignProgress(db, c.id) })));
  return { ...page, rows, total };
}

/** One campaign with its progress (its reviews are paged by listCampaignReviews). */
async function readCampaign(actor: Actor, campaignId: string) {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const campaign = await db.reviewCampaign.findUnique({ where: { id: campaignId }, select: campaignSelect });
  if (!campaign) return null;
  return { ...campaign, progress: await campaignProgress(db, campaignId) };
}

/** A campaign's reviews, soonest due first, paged by keyset. */
export async function listCampaignReviews(actor: Actor, campaignId: string, query: CampaignListQuery) {
  requirePermission(actor, 'agent.read');
  return keysetPage<ReviewRow>({
    query,
    field: 'dueAt',
    dir: 'asc',
    value: (row) => row.dueAt,
    find: ({ where, orderBy, take }) =>
      getDb().review.findMany({ where: { AND: [{ campaignId }, where] }, orderBy, take, select: rowSelect }),
  });
}

/** An agent's latest 20 reviews, newest first. */
export async function listAgentReviews(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  // One statement: Prisma's relation query would send a second one, even for an agent with no reviews.
  const rows = await getDb().$queryRaw<
    {
      id: string;
      triggers: ReviewTrigger[];
      dueAt: Date;
      completedAt: Date | null;
      outcome: ReviewOutcome | null;
      reviewerName: string | null;
    }[]
  >`
    SELECT r."id", r."triggers"::text[] AS "triggers", r."dueAt", r."completedAt", r."outcome"::text AS "outcome",
           u."name" AS "reviewerName"
    FROM "Review" r LEFT JOIN "User" u ON u."id" = r."reviewerId"
    WHERE r."agentId" = ${agentId}
    ORDER BY r."createdAt" DESC, r."id" DESC
    LIMIT 20`;
  return rows.map(({ reviewerName, ...r }) => ({
    reviewer: reviewerName === null ? null : { name: reviewerName }, // before the spread, as in toRow (agents/list)
    ...r,
  }));
}

/** Cached per request: a record route's layout (404 before streaming) and its page share one read. */
export const getReviewDetail = cache(readReviewDetail);

/** Cached per request: a record route's layout (404 before streaming) and its page share one read. */
export const getCampaign = cache(readCampaign);
export type ReviewDetail = NonNullable<Awaited<ReturnType<typeof readReviewDetail>>>;
