import 'server-only';
import { TZDate } from '@date-fns/tz';
import { endOfDay } from 'date-fns';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db, type Tx } from '@/lib/db';
import { Conflict, Invalid, NotFound } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import { CloseCampaignSchema, StartCampaignSchema, type CampaignFilter } from './schema';
import { openOrJoinReviews } from './triggers';

const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });
const MAX_DEADLINE_DAYS = 366;

/** The agents a campaign covers, as a where clause evaluated in SQL. */
export function campaignWhere(filter: CampaignFilter): Prisma.AgentWhereInput {
  return {
    status: { in: filter.statuses },
    riskTier: { in: filter.riskTiers },
    ...(filter.environments.length > 0 ? { environments: { hasSome: filter.environments } } : {}),
    ...(filter.kinds.length > 0 ? { kind: { in: filter.kinds } } : {}),
  };
}

/**
 * Starts a certification campaign: a review for every agent the filter
 * matches, due by the deadline (the end of that day in the organisation's
 * time zone). An agent's open review joins the campaign unless it belongs to
 * another open campaign; it is then left there and counted.
 */
export async function startCampaign(
  actor: Actor | null,
  input: unknown,
): Promise<{ id: string; opened: number; joined: number; inOtherCampaign: number }> {
  requirePermission(actor, 'review.campaign');
  const data = await readInput(StartCampaignSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const { reviewTiming } = await getSettings(tx);
    const [year, month, day] = data.deadline.split('-').map(Number) as [number, number, number];
    const deadline = new Date(endOfDay(new TZDate(year, month - 1, day, reviewTiming.timeZone)).getTime());
    const now = new Date();
    if (deadline <= now)
      throw new Invalid('The deadline has passed: choose a later date.', { deadline: ['Choose a date after today.'] });
    if (deadline.getTime() - now.getTime() > MAX_DEADLINE_DAYS * 86_400_000) {
      throw new Invalid('Keep the deadline within a year.', { deadline: ['Choose a date within a year.'] });
    }
    const filter: CampaignFilter = {
      riskTiers: data.riskTiers,
      statuses: data.statuses,
      environments: data.environments,
      kinds: data.kinds,
    };
    const agents = await tx.agent.findMany({ where: campaignWhere(filter), select: { id: true } });
    if (agents.length === 0)
      throw new Invalid('No agent matches this filter, so nothing was started. Widen the filter.');
    const campaign = await tx.reviewCampaign.create({
      data: { name: data.name, filter, deadline, startedById: actor.id },
      select: { id: true },
    });
    const result = await openOrJoinReviews(
      tx,
      who(actor),
      agents.map((a) => ({ agentId: a.id, dueAt: deadline })),
      'CAMPAIGN',
      { campaignId: campaign.id },
    );
    const counts = {
      opened: result.opened.length,
      joined: result.joined.length + result.unchanged.length,
      inOtherCampaign: result.inOtherCampaign.length,
    };
    await appendAuditEvent(tx, {
      action: 'campaign.started',
      actor: who(actor),
      details: { campaignId: campaign.id, name: data.name, deadline: deadline.toISOString(), filter, ...counts },
    });
    return { id: campaign.id, ...counts };
  });
}

export type ReviewerProgress = {
  reviewerId: string | null;
  reviewerName: string | null;
  done: number;
  open: number;
  overdue: number;
};
export type CampaignProgress = {
  total: number;
  done: number;
  open: number;
  overdue: number;
  byOutcome: Record<string, number>;
  byReviewer: ReviewerProgress[];
};

/** Done / open / overdue, overall and per reviewer, counted in SQL. */
export async function campaignProgress(db: Db | Tx, campaignId: string, now = new Date()): Promise<CampaignProgress> {
  const rows = await db.$queryRaw<
    {
      reviewerId: string | null;
      reviewerName: string | null;
      outcome: string | null;
      done: bigint;
      open: bigint;
      overdue: bigint;
    }[]
  >`
    SELECT r."reviewerId", u."name" AS "reviewerName", r."outcome"::text AS "outcome",
           count(*) FILTER (WHERE r."completedAt" IS NOT NULL) AS "done",
           count(*) FILTER (WHERE r."completedAt" IS NULL) AS "open",
           count(*) FILTER (WHERE r."completedAt" IS NULL AND r."dueAt" < ${now}) AS "overdue"
    FROM "Review" r LEFT JOIN "User" u ON u."id" = r."reviewerId"
    WHERE r."campaignId" = ${campaignId}
    GROUP BY r."reviewerId", u."name", r."outcome"`;
  const byReviewer = new Map<string, ReviewerProgress>();
  const progress: CampaignProgress = { total: 0, done: 0, open: 0, overdue: 0, byOutcome: {}, byReviewer: [] };
  for (const row of rows) {
    const [done, open, overdue] = [Number(row.done), Number(row.open), Number(row.overdue)];
    const key = row.reviewerId ?? '';
    const reviewer = byReviewer.get(key) ?? {
      reviewerId: row.reviewerId,
      reviewerName: row.reviewerName,
      done: 0,
      open: 0,
      overdue: 0,
    };
    reviewer.done += done;
    reviewer.open += open;
    reviewer.overdue += overdue;
    byReviewer.set(key, reviewer);
    progress.done += done;
    progress.open += open;
    progress.overdue += overdue;
    if (row.outcome) progress.byOutcome[row.outcome] = (progress.byOutcome[row.outcome] ?? 0) + done;
  }
  progress.total = progress.done + progress.open;
  progress.byReviewer = [...byReviewer.values()].sort(
    (a, b) => b.open - a.open || (a.reviewerName ?? '').localeCompare(b.reviewerName ?? ''),
  );
  return progress;
}

/**
 * Closes a campaign with its summary (the progress at closing). Reviews still open stay open, outside any open
 * campaign.
 */
export async function closeCampaign(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'review.campaign');
  const data = await readInput(CloseCampaignSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const [campaign] = await tx.$queryRaw<{ id: string; name: string; status: string; version: number }[]>`
      SELECT "id", "name", "status"::text AS "status", "version" FROM "ReviewCampaign" WHERE "id" = ${data.campaignId}
        FOR UPDATE`;
    if (!campaign) throw new NotFound('That campaign does not exist.');
    if (campaign.status === 'CLOSED') throw new Conflict('This campaign is already closed.');
    if (campaign.version !== data.version)
      throw new Conflict('This campaign was changed by someone else. Reload the page and try again.');
    const summary = await campaignProgress(tx, campaign.id);
    await tx.reviewCampaign.update({
      where: { id: campaign.id },
      data: { status: 'CLOSED', closedAt: new Date(), summary, version: { increment: 1 } },
    });
    await appendAuditEvent(tx, {
      action: 'campaign.closed',
      actor: who(actor),
      details: { campaignId: campaign.id, name: campaign.name, summary },
    });
    return summary.open === 0
      ? `Closed: all ${summary.total} reviews done.`
      : `Closed: ${summary.done} of ${summary.total} reviews done; ${summary.open} ` +
          `${summary.open === 1 ? 'stays' : 'stay'} open.`;
  });
}
