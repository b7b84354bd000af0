import 'server-only';
import { can, type Actor } from '@/lib/authz';
import { countPendingChanges } from '@/lib/change-requests/queries';
import { getDb } from '@/lib/db';
import { reusedUntilChange } from '@/lib/db/reused';
import { countQueue } from '@/lib/exceptions/queries';
import { openFindingsByRule } from '@/lib/policy/trend';
import { countOverdueReviews } from '@/lib/reviews/queries';

export type NavCountKey = 'pendingExceptions' | 'overdueReviews' | 'openFindings' | 'pendingChanges';

/**
 * The navigation's attention counts: each equals the count of the list it links to. Every page shows them and they
 * are the same for everyone, so they are computed once per registry change (lib/db/reused.ts), not once per page;
 * a reader sees only the counts their permissions allow.
 */
export async function getNavCounts(actor: Actor): Promise<Partial<Record<NavCountKey, number>>> {
  const db = getDb();
  const counts = await reusedUntilChange(db, 'navigation', async () => {
    const now = new Date();
    const [pendingExceptions, overdueReviews, byRule, pendingChanges] = await Promise.all([
      countQueue(db, 'pending', now),
      countOverdueReviews(now, db),
      openFindingsByRule(db),
      countPendingChanges(),
    ]);
    const openFindings = [...byRule.values()].reduce((n, c) => n + c, 0);
    return { pendingExceptions, overdueReviews, openFindings, pendingChanges };
  });
  return {
    pendingExceptions: counts.pendingExceptions,
    overdueReviews: counts.overdueReviews,
    ...(can(actor, 'findings.read') ? { openFindings: counts.openFindings } : {}),
    ...(can(actor, 'change.read') ? { pendingChanges: counts.pendingChanges } : {}),
  };
}
