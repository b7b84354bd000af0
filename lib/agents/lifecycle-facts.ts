import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db, type Tx } from '@/lib/db';
import { lifecycleMoves, type LifecycleFacts, type LifecycleMove } from './lifecycle';

/** What the lifecycle rules read about an agent, now (inside the deciding transaction when given one). */
export async function readLifecycleFacts(db: Db | Tx, agentId: string, now = new Date()): Promise<LifecycleFacts> {
  const agent = await db.agent.findUniqueOrThrow({
    where: { id: agentId },
    select: {
      status: true,
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
  };
}

/** The moves the console offers for an agent, with what blocks each (the command's own rules). */
export async function listLifecycleMoves(actor: Actor, agentId: string): Promise<LifecycleMove[]> {
  requirePermission(actor, 'agent.read');
  return lifecycleMoves(await readLifecycleFacts(getDb(), agentId));
}
