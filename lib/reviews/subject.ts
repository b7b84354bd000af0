import 'server-only';
import type { Db, Tx } from '@/lib/db';
import { breakGlassRequesters } from '@/lib/exceptions/rotation';
import type { ReviewTrigger, RiskTier } from '@/lib/generated/prisma/enums';
import { loosenedBy } from './loosened-by';
import type { ReviewSubject } from './reviewer';

/** The facts reviewerProblem reads, now: the agent's tier and owner, the triggers, who asked for a break-glass or
 * loosened a credential. */
export async function reviewSubject(
  db: Db | Tx,
  agentId: string,
  agent: { riskTier: RiskTier; ownerId: string | null },
  triggers: ReviewTrigger[],
): Promise<ReviewSubject> {
  const [requesters, looseners] = await Promise.all([
    breakGlassRequesters(db, [agentId]),
    triggers.includes('CREDENTIAL_LOOSENED') ? loosenedBy(db, [agentId]) : new Map<string, string[]>(),
  ]);
  return {
    riskTier: agent.riskTier,
    ownerId: agent.ownerId,
    triggers,
    breakGlassRequesters: requesters.get(agentId) ?? [],
    loosenedBy: looseners.get(agentId) ?? [],
  };
}
