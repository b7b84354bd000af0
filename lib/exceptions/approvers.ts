import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

export type EligibleApprover = { id: string; name: string | null; isPamOwner: boolean };

/**
 * Who can approve a request on this agent: active PAM approvers other than the
 * requester, the agent's PAM control owner first.
 */
export async function listEligibleApprovers(actor: Actor, agentId: string): Promise<EligibleApprover[]> {
  requirePermission(actor, 'agent.read');
  const [approvers, pam] = await Promise.all([
    getDb().user.findMany({
      where: { active: true, roles: { has: 'PAM_APPROVER' }, id: { not: actor.id } },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      select: { id: true, name: true },
    }),
    getDb().controlAssignment.findUnique({
      where: { agentId_plane: { agentId, plane: 'PAM' } },
      select: { userId: true },
    }),
  ]);
  return approvers
    .map((a) => ({ ...a, isPamOwner: a.id === pam?.userId }))
    .sort((a, b) => Number(b.isPamOwner) - Number(a.isPamOwner));
}
