import 'server-only';
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { countOverdueReviews } from '@/lib/reviews/queries';

export type NavCountKey = 'pendingExceptions' | 'overdueReviews' | 'openFindings';

/** The navigation's attention counts. A count a later domain owns stays absent until it exists. */
export async function getNavCounts(_actor: Actor): Promise<Partial<Record<NavCountKey, number>>> {
  const now = new Date();
  const [pendingExceptions, overdueReviews] = await Promise.all([
    getDb().exception.count({ where: { status: 'PENDING' } }),
    countOverdueReviews(now),
  ]);
  return { pendingExceptions, overdueReviews };
}
