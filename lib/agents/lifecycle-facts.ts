import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { isIndependentLead } from '@/lib/change-requests/commands';
import { getDb, type Db, type Tx } from '@/lib/db';
import { reachable, REACHABLE_SELECT } from '@/lib/escalation/rules';
import { lifecycleMoves, type LifecycleFacts, type LifecycleMove } from './lifecycle';

/** What the lifecycle rules read about an agent, now (inside the deciding transaction when given one). */
export async function readLifecycleFacts(db: Db | Tx, agentId: string, now = new Date()): Promise<LifecycleFacts> {
  const agent = await db.agent.findUniqueOrThrow({
    where: { id: agentId },
    select: {
      status: true,
      riskTier: true,
      escalation: { select: REACHABLE_SELECT },
      owner: { select: { active: true } },
      controlAssignments: { select: { plane: true } },
      _count: {
        select: {
          purposes: { where: { status: 'APPROVED', OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } },
          credentials: { where: { revokedAt: null } },
          exceptions: { where: { OR: [{ status: 'PENDING' }, { status: 'APPROVED', expiresAt: { gt: now } }] } },
        },
      },
    },
  });
  return {
    status: agent.status,
    ownerActive: agent.owner ? agent.owner.active : null,
    planesAssigned: agent.controlAssignments.map((a) => a.plane),
    approvedPurposes: agent._count.purposes,
    unrevokedCredentials: agent._count.credentials,
    activeExceptions: agent._count.exceptions,
    riskTier: agent.riskTier,
    hasEscalation: reachable(agent.escalation),
  };
}

/** The moves the console offers for an agent, with what blocks each (the command's own rules). */
export async function listLifecycleMoves(actor: Actor, agentId: string): Promise<LifecycleMove[]> {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const facts = await readLifecycleFacts(db, agentId);
  const moves = lifecycleMoves(facts);
  if (facts.status !== 'SUSPENDED') return moves;
  // Lifting a suspension also asks who lifts it: the command's own check.
  const problem = await liftProblem(db, actor, agentId);
  return moves.map((move) =>
    move.to === 'ACTIVE' && move.problems.length === 0 && problem ? { ...move, problems: [problem] } : move,
  );
}

/**
 * Why this person may not lift the agent's suspension, read now: only a
 * security lead who neither owns nor controls the agent lifts one, and a
 * suspension a review recorded is lifted only by a later review certified by
 * a reviewer who is not the owner.
 */
export async function liftProblem(tx: Db | Tx, actor: Actor, agentId: string): Promise<string | null> {
  const suspension = await tx.auditEvent.findFirst({
    where: { agentId, action: 'agent.status_changed', details: { path: ['to'], equals: 'SUSPENDED' } },
    orderBy: { seq: 'desc' },
    select: { details: true },
  });
  if ((suspension?.details as { reviewId?: string } | null)?.reviewId) {
    return 'A review suspended this agent: a new review, certified by a reviewer who is not its owner, lifts it.';
  }
  if (!(await isIndependentLead(tx, actor, agentId))) {
    return 'Only a security lead who neither owns nor controls this agent lifts its suspension.';
  }
  return null;
}
