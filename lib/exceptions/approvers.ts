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
  return getDb().$queryRaw<EligibleApprover[]>`
    SELECT u."id", u."name", EXISTS (
             SELECT 1 FROM "ControlAssignment" c
             WHERE c."agentId" = ${agentId} AND c."plane" = 'PAM' AND c."userId" = u."id") AS "isPamOwner"
    FROM "User" u
    WHERE u."active" AND 'PAM_APPROVER' = ANY(u."roles") AND u."id" <> ${actor.id}
    ORDER BY 3 DESC, u."name", u."id"`;
}
