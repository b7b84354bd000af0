import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

export type TimelineRow = {
  seq: string;
  occurredAt: Date;
  action: string;
  actor: string;
  agent: { slug: string; name: string } | null;
  details: unknown;
};

/** The newest custody events, with who did them and to which agent. */
export async function listRecentEvents(actor: Actor, limit = 50): Promise<TimelineRow[]> {
  requirePermission(actor, 'audit.read');
  return describeEvents({}, limit);
}

/** One agent's newest events: whoever may see the agent may see its timeline. */
export async function listAgentEvents(actor: Actor, agentId: string, limit = 20): Promise<TimelineRow[]> {
  requirePermission(actor, 'agent.read');
  return describeEvents({ agentId }, limit);
}

/** One agent's events after `afterSeq` (what changed since then), newest first. */
export async function listAgentEventsSince(actor: Actor, agentId: string, afterSeq: bigint, limit = 100): Promise<TimelineRow[]> {
  requirePermission(actor, 'agent.read');
  return describeEvents({ agentId, seq: { gt: afterSeq } }, limit);
}

async function describeEvents(where: { agentId?: string; seq?: { gt: bigint } }, limit: number): Promise<TimelineRow[]> {
  const db = getDb();
  const events = await db.auditEvent.findMany({
    where,
    orderBy: { seq: 'desc' },
    take: limit,
    select: { seq: true, occurredAt: true, action: true, actorType: true, actorId: true, agentId: true, details: true },
  });
  const userIds = [...new Set(events.flatMap((e) => (e.actorType === 'USER' && e.actorId ? [e.actorId] : [])))];
  const agentIds = [...new Set(events.flatMap((e) => (e.agentId ? [e.agentId] : [])))];
  const [users, agents] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true } }),
    db.agent.findMany({ where: { id: { in: agentIds } }, select: { id: true, slug: true, name: true } }),
  ]);
  const userName = new Map(users.map((u) => [u.id, u.name ?? u.id]));
  const agentById = new Map(agents.map((a) => [a.id, { slug: a.slug, name: a.name }]));
  return events.map((e) => ({
    seq: e.seq.toString(),
    occurredAt: e.occurredAt,
    action: e.action,
    actor: e.actorType === 'USER' ? (userName.get(e.actorId ?? '') ?? 'Unknown person') : (e.actorId ?? 'System'),
    agent: e.agentId ? (agentById.get(e.agentId) ?? null) : null,
    details: e.details,
  }));
}
