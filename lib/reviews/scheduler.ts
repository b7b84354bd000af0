import 'server-only';
import { SYSTEM_ACTOR } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { getSettings } from '@/lib/settings';
import { openOrJoinReviews } from './triggers';

const DAY = 86_400_000;

/**
 * Opens the scheduled review of every active or suspended agent whose next
 * review falls due within the lead window (or joins the review already open),
 * due on the agent's scheduled date. Idempotent: an agent whose open review
 * already carries SCHEDULED is skipped, and completing a review moves the
 * date on. Works in batches so each transaction stays short.
 */
export async function openScheduledReviews(now = new Date(), batch = 1000): Promise<number> {
  let total = 0;
  for (;;) {
    const count = await getDb().$transaction(async (tx) => {
      const { reviewTiming } = await getSettings(tx);
      const due = await tx.agent.findMany({
        where: {
          status: { in: ['ACTIVE', 'SUSPENDED'] },
          nextReviewDue: { lte: new Date(now.getTime() + reviewTiming.leadDays * DAY) },
          reviews: { none: { completedAt: null, triggers: { has: 'SCHEDULED' } } },
        },
        orderBy: [{ nextReviewDue: 'asc' }, { id: 'asc' }],
        take: batch,
        select: { id: true, nextReviewDue: true },
      });
      await openOrJoinReviews(
        tx,
        SYSTEM_ACTOR,
        due.map((a) => ({ agentId: a.id, dueAt: a.nextReviewDue! })),
        'SCHEDULED',
      );
      return due.length;
    });
    total += count;
    if (count < batch) return total;
  }
}
