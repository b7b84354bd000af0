import 'server-only';
import { applyStatusChange } from '@/lib/agents/commands';
import { leadLiftProblem, suspendedByReview } from '@/lib/agents/lifecycle-facts';
import { lockParentAgent } from '@/lib/agents/locks';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { applyCredentialRevocation, lockCredential } from '@/lib/credentials/commands';
import { getDb, type Tx } from '@/lib/db';
import { Conflict, Forbidden, Invalid, NotFound } from '@/lib/errors';
import { applyExceptionRevocation, lockException } from '@/lib/exceptions/commands';
import { awaitingRotation, rotationMissing } from '@/lib/exceptions/rotation';
import type { AgentStatus, ReviewTrigger } from '@/lib/generated/prisma/enums';
import { applyPurposeExpiry, lockPurposeRow } from '@/lib/purposes/commands';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import { REVIEW_OUTCOME, wordOf } from '@/lib/vocabulary';
import { nextScheduledDue } from './cadence';
import { reviewerProblem } from './reviewer';
import { AssignReviewerSchema, CompleteReviewSchema } from './schema';
import { reviewSubject } from './subject';

const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });

type LockedReview = {
  id: string;
  agentId: string;
  version: number;
  reviewerId: string | null;
  completedAt: Date | null;
  triggers: ReviewTrigger[];
  campaignId: string | null;
};

/** Locks the review and its agent (agent first, the order every agent write uses). */
async function lockReview(tx: Tx, reviewId: string, version: number): Promise<LockedReview> {
  await lockParentAgent(tx, 'Review', reviewId);
  const [row] = await tx.$queryRaw<LockedReview[]>`
    SELECT "id", "agentId", "version", "reviewerId", "completedAt", "triggers"::text[] AS "triggers", "campaignId"
    FROM "Review" WHERE "id" = ${reviewId} FOR UPDATE`;
  if (!row) throw new NotFound('That review does not exist.');
  if (row.completedAt) throw new Conflict('This review is already completed.');
  if (row.version !== version)
    throw new Conflict(
      'This review was changed by someone else (a new trigger or reviewer). Reload the page and try again.',
    );
  return row;
}

const OUTCOME_STATUS: Partial<Record<string, AgentStatus>> = { SUSPENDED: 'SUSPENDED', RETIRED: 'RETIRED' };

/**
 * Completes a review with its outcome. Only the assigned reviewer completes
 * it, and never the accountable owner of an agent at a tier the reviewer rule
 * covers. The reductions chosen (expire purposes, revoke credentials, revoke
 * exceptions, all of this agent) happen in the same transaction: completing a
 * review authorises exactly these, nothing else. A suspension or retirement
 * follows the inventory's lifecycle rules; the next review is scheduled by
 * the agent's cadence (none once retired).
 */
export async function completeReview(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'review.complete');
  const data = await readInput(CompleteReviewSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const review = await lockReview(tx, data.reviewId, data.version);
    const agent = await tx.agent.findUniqueOrThrow({
      where: { id: review.agentId },
      select: { id: true, status: true, riskTier: true, reviewCadenceDays: true, ownerId: true },
    });
    if (review.reviewerId !== actor.id)
      throw new Forbidden('Only the assigned reviewer can complete this review. A security lead can reassign it.');
    const settings = await getSettings(tx);
    const me = await tx.user.findUniqueOrThrow({
      where: { id: actor.id },
      select: { id: true, name: true, active: true, roles: true },
    });
    const problem = reviewerProblem(me, await reviewSubject(tx, agent.id, agent, review.triggers), settings);
    if (problem) throw new Forbidden(problem);

    const reason = `Review: ${data.notes}`.slice(0, 500);
    const reductions = {
      purposes: [] as { id: string; task: string }[],
      credentials: [] as { id: string; name: string }[],
      exceptions: [] as { id: string; type: string }[],
    };
    const mine = (agentId: string, what: string) => {
      if (agentId !== agent.id)
        throw new Invalid(`That ${what} belongs to another agent: a review reduces only its own agent's access.`);
    };
    for (const id of [...new Set(data.expirePurposes)]) {
      const purpose = await lockPurposeRow(tx, id);
      mine(purpose.agentId, 'purpose');
      await applyPurposeExpiry(tx, actor, purpose, reason, review.id);
      reductions.purposes.push({ id, task: purpose.task });
    }
    for (const id of [...new Set(data.revokeCredentials)]) {
      const credential = await lockCredential(tx, id);
      mine(credential.agentId, 'credential');
      await applyCredentialRevocation(tx, actor, credential, reason, review.id);
      reductions.credentials.push({ id, name: credential.name });
    }
    for (const id of [...new Set(data.revokeExceptions)]) {
      const exception = await lockException(tx, id);
      mine(exception.agentId, 'exception');
      await applyExceptionRevocation(tx, actor, exception, reason, review.id);
      reductions.exceptions.push({ id, type: exception.type });
    }

    // Rotation is evidence: while a break-glass's covered credentials await rotation (or revocation, here or
    // before), the review keeps the agent in service only by certifying nothing: it suspends or retires it instead.
    if (data.outcome === 'CERTIFIED' || data.outcome === 'SCOPE_REDUCED') {
      const awaiting = await awaitingRotation(tx, { agentId: agent.id });
      if (awaiting.length > 0) {
        throw new Invalid(
          `It cannot be ${data.outcome === 'CERTIFIED' ? 'certified' : 'closed with scope reduced'} yet: after the ` +
            `break-glass, ${rotationMissing(awaiting)}. Record the rotation on the agent’s page, revoke each in ` +
            `this review (scope reduced), or suspend the agent.`,
        );
      }
    }
    // A certification by a reviewer who is not the owner lifts a suspension a review recorded (the only way one
    // lifts). One a lead imposed is lifted by an independent lead, certifying or not: a review someone opened by
    // editing a purpose is not a way around it.
    const stays =
      data.outcome === 'CERTIFIED' && agent.status === 'SUSPENDED'
        ? agent.ownerId === actor.id
          ? 'the owner’s certification does not lift its suspension'
          : !(await suspendedByReview(tx, agent.id)) && (await leadLiftProblem(tx, actor, agent.id))
            ? 'a lead suspended it, so only a lead who neither owns nor controls it lifts the suspension'
            : null
        : null;
    const lifts = data.outcome === 'CERTIFIED' && agent.status === 'SUSPENDED' && !stays;
    const to = lifts ? 'ACTIVE' : OUTCOME_STATUS[data.outcome];
    if (to && to !== agent.status) await applyStatusChange(tx, actor, agent.id, to, reason, review.id);
    const now = new Date();
    const nextReviewDue = to === 'RETIRED' ? null : nextScheduledDue(agent, settings, now);
    await tx.agent.update({ where: { id: agent.id }, data: { nextReviewDue, version: { increment: 1 } } });
    await tx.review.update({
      where: { id: review.id },
      data: {
        completedAt: now,
        completedById: actor.id,
        outcome: data.outcome,
        notes: data.notes,
        openForAgent: null,
        version: { increment: 1 },
      },
    });
    await appendAuditEvent(tx, {
      action: 'review.completed',
      actor: who(actor),
      agentId: agent.id,
      details: {
        reviewId: review.id,
        outcome: data.outcome,
        notes: data.notes,
        triggers: review.triggers,
        campaignId: review.campaignId,
        reductions,
        nextReviewDue: nextReviewDue?.toISOString() ?? null,
        completedAt: now.toISOString(),
      },
    });
    const reduced = reductions.purposes.length + reductions.credentials.length + reductions.exceptions.length;
    return (
      `Review completed: ` +
      `${wordOf(REVIEW_OUTCOME, data.outcome)}${reduced ? `, ${reduced} reduction(s) applied` : ''}.` +
      (stays ? ` The agent stays suspended: ${stays}.` : '')
    );
  });
}

/** A security lead assigns the reviewer; the reviewer rule applies here as at completion. */
export async function assignReviewer(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'ownership.assign');
  const data = await readInput(AssignReviewerSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const review = await lockReview(tx, data.reviewId, data.version);
    if (review.reviewerId === data.reviewerId) return 'They are already the reviewer.';
    const [agent, settings, person, before] = await Promise.all([
      tx.agent.findUniqueOrThrow({ where: { id: review.agentId }, select: { riskTier: true, ownerId: true } }),
      getSettings(tx),
      tx.user.findUnique({
        where: { id: data.reviewerId },
        select: { id: true, name: true, active: true, roles: true },
      }),
      review.reviewerId
        ? tx.user.findUnique({ where: { id: review.reviewerId }, select: { id: true, name: true } })
        : null,
    ]);
    if (!person) throw new Invalid('Choose a reviewer.', { reviewerId: ['That person does not exist.'] });
    const problem = reviewerProblem(person, await reviewSubject(tx, review.agentId, agent, review.triggers), settings);
    if (problem) throw new Invalid(problem, { reviewerId: [problem] });
    await tx.review.update({ where: { id: review.id }, data: { reviewerId: person.id, version: { increment: 1 } } });
    await appendAuditEvent(tx, {
      action: 'review.reviewer_assigned',
      actor: who(actor),
      agentId: review.agentId,
      details: { reviewId: review.id, from: before, to: { id: person.id, name: person.name } },
    });
    return `${person.name ?? 'They'} will review it.`;
  });
}
