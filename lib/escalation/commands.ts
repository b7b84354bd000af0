import 'server-only';
import type { z } from 'zod';
import { lockAgentRows } from '@/lib/agents/locks';
import { appendAuditEvent } from '@/lib/audit';
import { requireAgentPermission, requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { Conflict, Invalid, NotFound } from '@/lib/errors';
import { readInput } from '@/lib/secrets/read-input';
import { needsEscalation } from './rules';
import { ClearEscalationSchema, CONTACT_FIELDS, SetEscalationSchema } from './schema';

type Contact = { name: string; coverage: string } & Record<'userId' | 'email' | 'phone' | 'pagerUrl', string | null>;

const contactOf = (row: Contact | null): Contact | null =>
  row ? (Object.fromEntries(CONTACT_FIELDS.map((k) => [k, row[k] ?? null])) as Contact) : null;

/**
 * The agent locked at the version the form read (the contact is part of its record: every change moves the agent's
 * version), with its owner and tier for the permission and the rule.
 */
async function lockForContact(tx: Tx, actor: Actor, agentId: string, version: number) {
  await lockAgentRows(tx, [agentId]);
  const agent = await tx.agent.findUnique({
    where: { id: agentId },
    select: { ownerId: true, status: true, riskTier: true, version: true, escalation: true },
  });
  if (!agent) throw new NotFound('That agent does not exist.');
  requireAgentPermission(actor, 'agent.write', agent.ownerId);
  if (agent.version !== version) {
    throw new Conflict('This agent changed since you opened the page (its contact, perhaps). Reload it.');
  }
  return agent;
}

/**
 * Sets who is paged for the agent (the owner, or a security lead): a person or team, how to reach them, when. A
 * person named from Custodian must be active.
 */
export async function setEscalationContact(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'agent.write');
  const data = await readInput(SetEscalationSchema, input, actor);
  return getDb().$transaction((tx) => setEscalationContactIn(tx, actor, data));
}

/** setEscalationContact inside the caller's transaction, for a caller that read its input. */
export async function setEscalationContactIn(
  tx: Tx,
  actor: Actor,
  data: z.output<typeof SetEscalationSchema>,
): Promise<string> {
  const agent = await lockForContact(tx, actor, data.agentId, data.version);
  if (data.userId) {
    // Held until commit: a deactivation at the same moment cannot slip a leaver in.
    const [person] = await tx.$queryRaw<{ active: boolean }[]>`
      SELECT "active" FROM "User" WHERE "id" = ${data.userId} FOR SHARE`;
    if (!person?.active) {
      throw new Invalid('That person is not an active member: choose someone else.', {
        userId: ['Choose an active person.'],
      });
    }
  }
  const next: Contact = {
    name: data.name,
    userId: data.userId ?? null,
    email: data.email ?? null,
    phone: data.phone ?? null,
    pagerUrl: data.pagerUrl ?? null,
    coverage: data.coverage,
  };
  const before = contactOf(agent.escalation);
  if (before && CONTACT_FIELDS.every((k) => before[k] === next[k])) return 'Nothing changed.';
  await tx.agent.update({ where: { id: data.agentId }, data: { version: { increment: 1 } } });
  await tx.escalationContact.upsert({
    where: { agentId: data.agentId },
    create: { agentId: data.agentId, ...next },
    update: next,
  });
  await appendAuditEvent(tx, {
    action: 'escalation.changed',
    actor: { type: 'USER', id: actor.id },
    agentId: data.agentId,
    details: { from: before, to: next },
  });
  return `Escalation contact saved: ${next.name}.`;
}

/**
 * Removes the contact; refused while the agent is in service (active or suspended: it keeps its credentials and
 * exceptions) at a tier that needs one: set another instead.
 */
export async function clearEscalationContact(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'agent.write');
  const data = await readInput(ClearEscalationSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const agent = await lockForContact(tx, actor, data.agentId, data.version);
    if ((agent.status === 'ACTIVE' || agent.status === 'SUSPENDED') && needsEscalation(agent.riskTier)) {
      throw new Invalid('A HIGH or CRITICAL agent in service keeps an escalation contact: set another one instead.');
    }
    if (!agent.escalation) throw new Invalid('This agent has no escalation contact to remove.');
    await tx.agent.update({ where: { id: data.agentId }, data: { version: { increment: 1 } } });
    await tx.escalationContact.delete({ where: { agentId: data.agentId } });
    await appendAuditEvent(tx, {
      action: 'escalation.changed',
      actor: { type: 'USER', id: actor.id },
      agentId: data.agentId,
      details: { from: contactOf(agent.escalation), to: null },
    });
    return 'Escalation contact removed.';
  });
}
