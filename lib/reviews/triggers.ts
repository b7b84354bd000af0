import 'server-only';
import { lockAgentRows } from '@/lib/agents/locks';
import { appendAuditEvents, type AuditActor, type AuditEventInput } from '@/lib/audit';
import type { Tx } from '@/lib/db';
import { breakGlassRequesters } from '@/lib/exceptions/rotation';
import type { ReviewTrigger } from '@/lib/generated/prisma/enums';
import { getSettings } from '@/lib/settings';
import { dueAfter } from './cadence';
import { loosenedBy, personBehind } from './loosened-by';
import { defaultReviewer, reviewerProblem, type ReviewerFacts } from './reviewer';

const person = { select: { id: true, name: true, active: true, roles: true } } as const;

/** The facts each agent's default reviewer is chosen from. */
export async function loadReviewerFacts(tx: Tx, agentIds: string[]): Promise<Map<string, ReviewerFacts>> {
  const [agents, requesters, looseners] = await Promise.all([
    tx.agent.findMany({
      where: { id: { in: agentIds } },
      select: {
        id: true,
        riskTier: true,
        owner: person,
        controlAssignments: { select: { plane: true, user: person } },
      },
    }),
    breakGlassRequesters(tx, agentIds),
    loosenedBy(tx, agentIds),
  ]);
  return new Map(
    agents.map((a) => [
      a.id,
      {
        riskTier: a.riskTier,
        owner: a.owner,
        planes: Object.fromEntries(a.controlAssignments.map((c) => [c.plane, c.user])),
        breakGlassRequesters: requesters.get(a.id) ?? [],
        loosenedBy: looseners.get(a.id) ?? [],
      },
    ]),
  );
}

export type ReviewTarget = { agentId: string; dueAt: Date };
export type OpenOrJoinResult = { opened: string[]; joined: string[]; unchanged: string[]; inOtherCampaign: string[] };

/**
 * Opens a review for each agent, or adds the trigger to the one already open:
 * one open review per agent (a unique index backs this). Runs inside the
 * caller's transaction; the agent rows are locked in id order so concurrent
 * triggers queue instead of deadlocking. With a campaign, an open review
 * joins it unless it already belongs to another open campaign.
 */
export async function openOrJoinReviews(
  tx: Tx,
  actor: AuditActor,
  targets: ReviewTarget[],
  trigger: ReviewTrigger,
  options: { campaignId?: string; loosenedBy?: string[] } = {},
): Promise<OpenOrJoinResult> {
  const { campaignId } = options;
  const result: OpenOrJoinResult = { opened: [], joined: [], unchanged: [], inOtherCampaign: [] };
  if (targets.length === 0) return result;
  const ids = [...new Set(targets.map((t) => t.agentId))].sort();
  await lockAgentRows(tx, ids);
  // Whoever loosens a credential does not review it: the person behind this change, and any the caller names (who
  // asked for the loosening), join those the open review already has.
  const loosening = trigger === 'CREDENTIAL_LOOSENED';
  const others = loosening ? [...new Set(options.loosenedBy ?? [])] : [];
  const looseners = loosening ? [(await personBehind(tx, actor)) ?? '', ...others].filter(Boolean) : [];
  // The others are recorded on the event (the actor is its own record), so the rule reads them when it decides.
  const named = others.length > 0 ? { loosenedBy: others } : {};
  // The agents whose review this names someone new for (a loosening already recorded by the same person is not
  // recorded again).
  const namesSomeoneNew = new Set<string>();
  const withLooseners = (facts: Map<string, ReviewerFacts>) => {
    for (const [agentId, f] of facts) {
      if (looseners.some((id) => !f.loosenedBy.includes(id))) namesSomeoneNew.add(agentId);
      f.loosenedBy = [...new Set([...f.loosenedBy, ...looseners])];
    }
    return facts;
  };
  const dueFor = new Map(targets.map((t) => [t.agentId, t.dueAt]));
  const open = await tx.review.findMany({
    where: { openForAgent: { in: ids } },
    select: {
      id: true,
      agentId: true,
      triggers: true,
      dueAt: true,
      reviewerId: true,
      campaignId: true,
      campaign: { select: { status: true } },
    },
  });
  const events: AuditEventInput[] = [];
  // A trigger that bars the reviewer they have (post-incident: never the owner) passes the review on.
  // (A loosening bars its loosener even from a review that already has the trigger, and is recorded on it.)
  const barred = open.filter((r) => loosening || (!r.triggers.includes(trigger) && r.reviewerId !== null));
  const reviewerFacts =
    barred.length > 0
      ? withLooseners(
          await loadReviewerFacts(
            tx,
            barred.map((r) => r.agentId),
          ),
        )
      : new Map<string, ReviewerFacts>();
  const settingsNow = await getSettings(tx);
  for (const review of open) {
    const dueAt = dueFor.get(review.agentId)!;
    const joinsCampaign = campaignId !== undefined && review.campaignId !== campaignId;
    if (joinsCampaign && review.campaignId && review.campaign?.status === 'OPEN') {
      result.inOtherCampaign.push(review.agentId);
      continue;
    }
    const addsTrigger = !review.triggers.includes(trigger);
    const rowUnchanged = !addsTrigger && !joinsCampaign && review.dueAt <= dueAt;
    if (rowUnchanged && !loosening) {
      result.unchanged.push(review.id);
      continue;
    }
    const facts = reviewerFacts.get(review.agentId);
    const triggers = addsTrigger ? [...review.triggers, trigger] : review.triggers;
    const subject = facts && {
      riskTier: facts.riskTier,
      ownerId: facts.owner?.id ?? null,
      triggers,
      breakGlassRequesters: facts.breakGlassRequesters,
      loosenedBy: facts.loosenedBy,
    };
    const current =
      facts && review.reviewerId ? await tx.user.findUnique({ where: { id: review.reviewerId }, ...person }) : null;
    const passOn = Boolean(subject && current && reviewerProblem(current, subject, settingsNow));
    const next = passOn ? defaultReviewer(facts!, settingsNow, triggers) : null;
    if (rowUnchanged && !passOn) {
      // A loosening the review already carries: who did it is recorded once, and the row is left as it is, so a
      // stream of reports cannot keep the reviewer's form stale.
      if (namesSomeoneNew.has(review.agentId)) {
        events.push({
          action: 'review.trigger_added',
          actor,
          agentId: review.agentId,
          details: { reviewId: review.id, trigger, triggerDueAt: dueAt.toISOString(), ...named },
        });
      }
      result.unchanged.push(review.id);
      continue;
    }
    await tx.review.update({
      where: { id: review.id },
      data: {
        ...(addsTrigger ? { triggers: { push: trigger } } : {}),
        ...(joinsCampaign ? { campaignId } : {}),
        ...(passOn ? { reviewerId: next?.id ?? null } : {}),
        dueAt: dueAt < review.dueAt ? dueAt : review.dueAt,
        version: { increment: 1 },
      },
    });
    events.push({
      action: 'review.trigger_added',
      actor,
      agentId: review.agentId,
      details: {
        reviewId: review.id,
        trigger,
        ...(campaignId ? { campaignId } : {}),
        // When this trigger wants it (the review falls due at the sooner of this and its date): never the row's date,
        // which would write one put off in the database into the record.
        triggerDueAt: dueAt.toISOString(),
        ...named,
      },
    });
    if (passOn) {
      events.push({
        action: 'review.reviewer_assigned',
        actor,
        agentId: review.agentId,
        details: {
          reviewId: review.id,
          from: { id: current!.id, name: current!.name },
          to: next ? { id: next.id, name: next.name } : null,
        },
      });
    }
    result.joined.push(review.id);
  }
  const toOpen = ids.filter((id) => !open.some((r) => r.agentId === id));
  if (toOpen.length > 0) {
    const [settings, facts] = await Promise.all([getSettings(tx), loadReviewerFacts(tx, toOpen).then(withLooseners)]);
    const created = await tx.review.createManyAndReturn({
      data: toOpen.map((agentId) => ({
        agentId,
        openForAgent: agentId,
        triggers: [trigger],
        campaignId: campaignId ?? null,
        dueAt: dueFor.get(agentId)!,
        reviewerId: facts.has(agentId) ? (defaultReviewer(facts.get(agentId)!, settings, [trigger])?.id ?? null) : null,
      })),
      select: { id: true, agentId: true, dueAt: true },
    });
    for (const review of created) {
      events.push({
        action: 'review.opened',
        actor,
        agentId: review.agentId,
        details: {
          reviewId: review.id,
          triggers: [trigger],
          ...(campaignId ? { campaignId } : {}),
          dueAt: dueFor.get(review.agentId)!.toISOString(),
          ...named,
        },
      });
      result.opened.push(review.id);
    }
  }
  await appendAuditEvents(tx, events);
  return result;
}

/** A change to one agent opens (or joins) its review, due after the policy's triggered-review window. */
export async function openOrJoinReview(
  tx: Tx,
  actor: AuditActor,
  agentId: string,
  trigger: ReviewTrigger,
  options: { loosenedBy?: string[] } = {},
): Promise<void> {
  const { reviewTiming } = await getSettings(tx);
  await openOrJoinReviews(
    tx,
    actor,
    [{ agentId, dueAt: dueAfter(new Date(), reviewTiming.triggeredDueDays, reviewTiming.timeZone) }],
    trigger,
    options,
  );
}

/**
 * After a person is deactivated: every agent they own in service gets an
 * OWNER_DEPARTED review, and the open reviews they were to do pass to each
 * agent's default reviewer (or wait for a security lead to assign one).
 */
export async function afterPersonDeparted(
  tx: Tx,
  actor: AuditActor,
  userId: string,
  now = new Date(),
): Promise<{ reviewsOpened: number; reviewsReassigned: number }> {
  const settings = await getSettings(tx);
  const owned = await tx.agent.findMany({
    where: { ownerId: userId, status: { in: ['ACTIVE', 'SUSPENDED'] } },
    select: { id: true },
  });
  const dueAt = dueAfter(now, settings.reviewTiming.triggeredDueDays, settings.reviewTiming.timeZone);
  const result = await openOrJoinReviews(
    tx,
    actor,
    owned.map((a) => ({ agentId: a.id, dueAt })),
    'OWNER_DEPARTED',
  );
  const reviewsReassigned = await passReviewsOn(tx, actor, userId);
  return { reviewsOpened: result.opened.length + result.joined.length, reviewsReassigned };
}

/**
 * Passes the open reviews a person was to do (of the given agents, or all) to
 * each agent's reviewer under the rule as it stands now, one event each.
 */
export async function passReviewsOn(tx: Tx, actor: AuditActor, userId: string, agentIds?: string[]): Promise<number> {
  const settings = await getSettings(tx);
  const theirs = await tx.review.findMany({
    where: { reviewerId: userId, completedAt: null, ...(agentIds ? { agentId: { in: agentIds } } : {}) },
    select: { id: true, agentId: true, triggers: true },
  });
  if (theirs.length === 0) return 0;
  const facts = await loadReviewerFacts(
    tx,
    theirs.map((r) => r.agentId),
  );
  const from = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, name: true } });
  const events: AuditEventInput[] = [];
  for (const review of theirs) {
    const next = defaultReviewer(facts.get(review.agentId)!, settings, review.triggers);
    await tx.review.update({
      where: { id: review.id },
      data: { reviewerId: next?.id ?? null, version: { increment: 1 } },
    });
    events.push({
      action: 'review.reviewer_assigned',
      actor,
      agentId: review.agentId,
      details: { reviewId: review.id, from, to: next ? { id: next.id, name: next.name } : null },
    });
  }
  await appendAuditEvents(tx, events);
  return theirs.length;
}
