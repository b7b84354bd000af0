import 'server-only';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import type { Tx } from '@/lib/db';
import type { ReviewTrigger } from '@/lib/generated/prisma/enums';

const TRIGGERED_REVIEW_DUE_DAYS = 14;

/**
 * Opens a lifecycle review for the agent, or adds the trigger to the one
 * already open: one open review per agent. Call inside the change's
 * transaction; the agent row is locked so concurrent triggers queue.
 */
export async function openOrJoinReview(tx: Tx, actor: AuditActor, agentId: string, trigger: ReviewTrigger, now = new Date()) {
  await tx.$queryRaw`SELECT 1 FROM "Agent" WHERE "id" = ${agentId} FOR UPDATE`;
  const open = await tx.review.findUnique({ where: { openForAgent: agentId }, select: { id: true, triggers: true } });
  if (open) {
    if (open.triggers.includes(trigger)) return open.id;
    await tx.review.update({ where: { id: open.id }, data: { triggers: { push: trigger }, version: { increment: 1 } } });
    await appendAuditEvent(tx, { action: 'review.trigger_added', actor, agentId, details: { reviewId: open.id, trigger } });
    return open.id;
  }
  const review = await tx.review.create({
    data: { agentId, openForAgent: agentId, triggers: [trigger], dueAt: new Date(now.getTime() + TRIGGERED_REVIEW_DUE_DAYS * 86_400_000) },
    select: { id: true },
  });
  await appendAuditEvent(tx, { action: 'review.opened', actor, agentId, details: { reviewId: review.id, triggers: [trigger] } });
  return review.id;
}
