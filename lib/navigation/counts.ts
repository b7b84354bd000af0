import 'server-only';
import { can, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { countFindingsIn } from '@/lib/policy/findings';
import { countOverdueReviews } from '@/lib/reviews/queries';

export type NavCountKey = 'pendingExceptions' | 'overdueReviews' | 'openFindings';

// The findings count runs every rule: on every page it is shared for a minute per server process.
const FINDINGS_TTL_MS = 60_000;
const cache = globalThis as { __custodianOpenFindings?: { at: number; value: Promise<number> } };

function openFindings(now: Date): Promise<number> {
  const cached = cache.__custodianOpenFindings;
  if (cached && now.getTime() - cached.at < FINDINGS_TTL_MS) return cached.value;
  const value = countFindingsIn(getDb(), now).then((counts) => [...counts.values()].reduce((n, c) => n + c, 0));
  cache.__custodianOpenFindings = { at: now.getTime(), value };
  value.catch(() => delete cache.__custodianOpenFindings);
  return value;
}

/** The navigation's attention counts: each equals the count of the list it links to. */
export async function getNavCounts(actor: Actor): Promise<Partial<Record<NavCountKey, number>>> {
  const now = new Date();
  const [pendingExceptions, overdueReviews, findings] = await Promise.all([
    getDb().exception.count({ where: { status: 'PENDING', expiresAt: { gt: now } } }),
    countOverdueReviews(now),
    can(actor, 'findings.read') ? openFindings(now) : Promise.resolve(undefined),
  ]);
  return { pendingExceptions, overdueReviews, ...(findings !== undefined ? { openFindings: findings } : {}) };
}
