import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { ReviewTrigger } from '@/lib/generated/prisma/enums';

export type OpenReviewRow = {
  id: string;
  agent: { slug: string; name: string };
  triggers: ReviewTrigger[];
  dueAt: Date;
  reviewer: { name: string | null } | null;
};

/** Open reviews, soonest due first. */
export async function listOpenReviews(actor: Actor): Promise<OpenReviewRow[]> {
  requirePermission(actor, 'agent.read');
  return getDb().review.findMany({
    where: { completedAt: null },
    orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
    take: 200,
    select: {
      id: true,
      triggers: true,
      dueAt: true,
      agent: { select: { slug: true, name: true } },
      reviewer: { select: { name: true } },
    },
  });
}
