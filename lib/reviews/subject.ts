import 'server-only';
import type { Db, Tx } from '@/lib/db';
import { breakGlassRequesters } from '@/lib/exceptions/rotation';
import type { ReviewTrigger, RiskTier } from '@/lib/generated/prisma/enums';
import type { ReviewSubject } from './reviewer';

/** The facts reviewerProblem reads, now: the agent's tier and owner, the triggers, the break-glass requesters. */
export async function reviewSubject(
  db: Db | Tx,
  agentId: string,
  agent: { riskTier: RiskTier; ownerId: string | null },
  triggers: ReviewTrigger[],
): Promise<ReviewSubject> {
  const requesters = await breakGlassRequesters(db, [agentId]);
  return {
    riskTier: agent.riskTier,
    ownerId: agent.ownerId,
    triggers,
    breakGlassRequesters: requesters.get(agentId) ?? [],
  };
}
