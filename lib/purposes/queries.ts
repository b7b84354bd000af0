import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

export type PurposeRow = Awaited<ReturnType<typeof listAgentPurposes>>[number];

/** An agent's purposes: pending and approved first, then expired. */
export async function listAgentPurposes(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  return getDb().purpose.findMany({
    where: { agentId },
    orderBy: [{ status: 'asc' }, { createdAt: 'asc' }],
    select: {
      id: true,
      task: true,
      scope: true,
      environments: true,
      status: true,
      expiresAt: true,
      approvedAt: true,
      version: true,
      approvedBy: { select: { name: true } },
    },
  });
}
