import 'server-only';
import type { AuditActor } from '@/lib/audit';
import type { Actor } from '@/lib/authz';
import { isIndependentLead } from '@/lib/change-requests/commands';
import type { Tx } from '@/lib/db';
import type { CredentialStorage } from '@/lib/generated/prisma/enums';
import { dueAfter } from '@/lib/reviews/cadence';
import { openOrJoinReviews } from '@/lib/reviews/triggers';
import { getSettings } from '@/lib/settings';
import { looseFromTheStart } from './loosening';

type Issued = { agentId: string; privileged: boolean; environment: string; storage: CredentialStorage };

/**
 * After credentials are recorded as issued, in the console, by a broker's token or by a discovery import: each agent
 * in service given one loose from the start (looseFromTheStart) has its review opened or joined, unless the person
 * who vouches for the record (the issuer, the importer in the console) is a security lead independent of the agent.
 * A token vouches for nobody (`null`): the workload it governs may hold it, as for an agent edit. One rule for every
 * path, so no path records a loose credential without a second person looking. The caller has locked the agents.
 * Returns the agents whose review was opened or joined.
 */
export async function reviewLooseIssues(
  tx: Tx,
  vouchedBy: Actor | null,
  recordedAs: AuditActor,
  issued: Issued[],
): Promise<Set<string>> {
  const loose = [...new Set(issued.filter(looseFromTheStart).map((c) => c.agentId))];
  if (loose.length === 0) return new Set();
  // A proposed agent is not in service: approving it is its review.
  const inService = await tx.agent.findMany({
    where: { id: { in: loose }, status: { not: 'PROPOSED' } },
    select: { id: true },
    orderBy: { id: 'asc' },
  });
  const reviewed: string[] = [];
  for (const { id } of inService) if (!vouchedBy || !(await isIndependentLead(tx, vouchedBy, id))) reviewed.push(id);
  if (reviewed.length === 0) return new Set();
  const { reviewTiming } = await getSettings(tx);
  const dueAt = dueAfter(new Date(), reviewTiming.triggeredDueDays, reviewTiming.timeZone);
  await openOrJoinReviews(
    tx,
    recordedAs,
    reviewed.map((agentId) => ({ agentId, dueAt })),
    'CREDENTIAL_LOOSENED',
  );
  return new Set(reviewed);
}
