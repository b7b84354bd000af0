import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

/** What the agent page's "would it be allowed?" offers: the agent's current credentials and the tasks it may do. */
export async function getDryRunChoices(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  const now = new Date();
  const [credentials, purposes] = await Promise.all([
    getDb().credential.findMany({
      where: { agentId, revokedAt: null },
      orderBy: { name: 'asc' },
      select: { id: true, name: true, environment: true, issuance: true },
    }),
    getDb().purpose.findMany({
      where: { agentId, status: 'APPROVED', OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
      select: { task: true, scope: true },
    }),
  ]);
  const tasks = [...new Set(purposes.flatMap((p) => [...p.scope, p.task]))].sort();
  return { credentials, tasks };
}
