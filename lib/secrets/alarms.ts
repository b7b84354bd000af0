import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

export type SecretAlarm = { seq: bigint; at: Date; by: string; fields: { field: string; ruleId: string }[] };

/**
 * The secrets refused in the last 30 days that are no agent's finding (pasted into a form about no agent, or by
 * someone who could not act on the agent they named): security leads and auditors still see each one, to rotate it.
 */
export async function unattributedSecretAlarms(actor: Actor | null): Promise<SecretAlarm[]> {
  requirePermission(actor, 'audit.read');
  const db = getDb();
  const events = await db.auditEvent.findMany({
    where: {
      action: 'input.secret_refused',
      agentId: null,
      occurredAt: { gt: new Date(Date.now() - 30 * 86_400_000) },
    },
    orderBy: { seq: 'desc' },
    take: 20,
    select: { seq: true, occurredAt: true, actorType: true, actorId: true, details: true },
  });
  const ids = events.flatMap((e) => (e.actorId ? [e.actorId] : []));
  const [people, tokens] = await Promise.all([
    db.user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true, email: true } }),
    db.apiToken.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }),
  ]);
  const names = new Map<string, string>([
    ...tokens.map((t) => [t.id, `API token ${t.name}`] as const),
    ...people.map((p) => [p.id, p.name ?? p.email ?? 'someone'] as const),
  ]);
  const name = (id: string | null) => (id && names.get(id)) || 'someone';
  return events.map((e) => ({
    seq: e.seq,
    at: e.occurredAt,
    by: name(e.actorId),
    fields: ((e.details as { fields?: SecretAlarm['fields'] }).fields ?? []).slice(0, 5),
  }));
}
