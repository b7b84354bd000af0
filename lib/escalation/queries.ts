import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

/** The agent's escalation contact (with the person, when it names one), or null. */
export async function getEscalationContact(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  return getDb().escalationContact.findUnique({
    where: { agentId },
    include: { user: { select: { id: true, name: true, email: true, active: true } } },
  });
}

export type EscalationContactView = NonNullable<Awaited<ReturnType<typeof getEscalationContact>>>;
