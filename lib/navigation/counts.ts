import 'server-only';
import { can, type Actor } from '@/lib/authz';
import { countPendingChanges } from '@/lib/change-requests/queries';
import { getDb } from '@/lib/db';
import { openFindingsByRule } from '@/lib/policy/trend';
import { countOverdueReviews } from '@/lib/reviews/queries';

export type NavCountKey = 'pendingExceptions' | 'overdueReviews' | 'openFindings' | 'pendingChanges';

/** The navigation's attention counts: each equals the count of the list it links to. */
export async function getNavCounts(actor: Actor): Promise<Partial<Record<NavCountKey, number>>> {
  const now = new Date();
  const [pendingExceptions, overdueReviews, findings, pendingChanges] = await Promise.all([
    getDb().exception.count({ where: { status: 'PENDING', expiresAt: { gt: now } } }),
    countOverdueReviews(now),
    can(actor, 'findings.read')
      ? openFindingsByRule().then((byRule) => [...byRule.values()].reduce((n, c) => n + c, 0))
      : Promise.resolve(undefined),
    can(actor, 'change.read') ? countPendingChanges() : Promise.resolve(undefined),
  ]);
  return {
    pendingExceptions,
    overdueReviews,
    ...(findings !== undefined ? { openFindings: findings } : {}),
    ...(pendingChanges !== undefined ? { pendingChanges } : {}),
  };
}
