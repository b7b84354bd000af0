import 'server-only';
import type { Actor } from '@/lib/authz';
import { listAgentCredentials } from '@/lib/credentials/queries';
import { listAgentPurposes } from '@/lib/purposes/queries';

/**
 * What the agent page's "would it be allowed?" offers: the agent's current credentials and the tasks it may do.
 * From the lists the page's other sections read (once per request), not a query of its own.
 */
export async function getDryRunChoices(actor: Actor, agentId: string) {
  const now = new Date();
  const [credentials, purposes] = await Promise.all([
    listAgentCredentials(actor, agentId),
    listAgentPurposes(actor, agentId),
  ]);
  const approved = purposes.filter((p) => p.status === 'APPROVED' && (p.expiresAt === null || p.expiresAt > now));
  return {
    // The list puts those in use first, by name.
    credentials: credentials
      .filter((c) => c.revokedAt === null)
      .map(({ id, name, environment, issuance }) => ({ id, name, environment, issuance })),
    tasks: [...new Set(approved.flatMap((p) => [...p.scope, p.task]))].sort(),
  };
}
