import 'server-only';
import type { z } from 'zod';
import { lockAgentRows, lockParentAgent } from '@/lib/agents/locks';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { requireAgentPermission, requirePermission, type Actor } from '@/lib/authz';
import { heldAgent } from '@/lib/change-requests/commands';
import { getDb, type Tx } from '@/lib/db';
import { Conflict, Forbidden, Invalid, NotFound } from '@/lib/errors';
import type { ReviewTrigger } from '@/lib/generated/prisma/enums';
import { openOrJoinReview } from '@/lib/reviews/triggers';
import { readInput } from '@/lib/secrets/read-input';
import { PURPOSE_STATUS, wordOf } from '@/lib/vocabulary';
import { AddPurposeSchema, ChangePurposeSchema, DecidePurposeSchema, ExpirePurposeSchema } from './schema';

const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });

type LockedPurpose = {
  id: string;
  agentId: string;
  version: number;
  status: string;
  task: string;
  agent: { ownerId: string | null; status: string };
};

/** Locks the purpose row with its agent's owner and status. */
export async function lockPurposeRow(tx: Tx, purposeId: string): Promise<LockedPurpose> {
  await lockParentAgent(tx, 'Purpose', purposeId);
  const [row] = await tx.$queryRaw<Omit<LockedPurpose, 'agent'>[]>`
    SELECT "id", "agentId", "version", "status"::text AS "status", "task" FROM "Purpose" WHERE "id" = ${purposeId} FOR
      UPDATE`;
  if (!row) throw new NotFound('That purpose does not exist.');
  const agent = await tx.agent.findUniqueOrThrow({
    where: { id: row.agentId },
    select: { ownerId: true, status: true },
  });
  return { ...row, agent };
}

async function lockPurpose(tx: Tx, purposeId: string, version: number) {
  const row = await lockPurposeRow(tx, purposeId);
  if (row.version !== version)
    throw new Conflict('This purpose was changed by someone else. Reload the page and try again.');
  return row;
}

/**
 * Ends a purpose inside the caller's transaction, for a caller that has
 * authorised it: expirePurpose, or a review's reductions (`reviewId`).
 */
export async function applyPurposeExpiry(
  tx: Tx,
  actor: Actor,
  purpose: LockedPurpose,
  reason: string,
  reviewId?: string,
) {
  if (purpose.status === 'EXPIRED') throw new Conflict(`“${purpose.task}” has already expired.`);
  await tx.purpose.update({
    where: { id: purpose.id },
    data: { status: 'EXPIRED', expiresAt: new Date(), version: { increment: 1 } },
  });
  await appendAuditEvent(tx, {
    action: 'purpose.expired',
    actor: who(actor),
    agentId: purpose.agentId,
    details: { purposeId: purpose.id, reason, ...(reviewId ? { reviewId } : {}) },
  });
}

/** Proposes a purpose (PENDING until a security lead approves it). For an agent in service, opens a review. */
export async function addPurpose(actor: Actor | null, input: unknown): Promise<{ id: string }> {
  requirePermission(actor, 'agent.write');
  const data = await readInput(AddPurposeSchema, input, actor);
  return getDb().$transaction((tx) => addPurposeIn(tx, actor, data));
}

/** addPurpose inside the caller's transaction, for a caller that read its input. */
export async function addPurposeIn(
  tx: Tx,
  actor: Actor,
  data: z.output<typeof AddPurposeSchema>,
): Promise<{ id: string }> {
  await lockAgentRows(tx, [data.agentId]);
  const agent = await tx.agent.findUnique({ where: { id: data.agentId }, select: { ownerId: true, status: true } });
  if (!agent) throw new NotFound('That agent does not exist.');
  requireAgentPermission(actor, 'agent.write', agent.ownerId);
  if (agent.status === 'RETIRED') throw new Invalid('A retired agent takes no new purposes.');
  const purpose = await tx.purpose.create({
    data: {
      agentId: data.agentId,
      task: data.task,
      scope: data.scope,
      environments: data.environments,
      expiresAt: data.expiresAt ?? null,
    },
    select: { id: true },
  });
  await appendAuditEvent(tx, {
    action: 'purpose.added',
    actor: who(actor),
    agentId: data.agentId,
    details: {
      purposeId: purpose.id,
      task: data.task,
      scope: data.scope,
      environments: data.environments,
      expiresAt: data.expiresAt?.toISOString() ?? null,
    },
  });
  if (agent.status !== 'PROPOSED') await openOrJoinReview(tx, who(actor), data.agentId, 'PURPOSE_CHANGED');
  return purpose;
}

/**
 * Changes a purpose's task, tools or environments: it goes back to PENDING
 * for approval, and a review opens with the trigger matching each change.
 */
export async function changePurpose(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'agent.write');
  const data = await readInput(ChangePurposeSchema, input, actor);
  return getDb().$transaction((tx) => changePurposeIn(tx, actor, data));
}

/** changePurpose inside the caller's transaction, for a caller that read its input. */
export async function changePurposeIn(
  tx: Tx,
  actor: Actor,
  data: z.output<typeof ChangePurposeSchema>,
): Promise<string> {
  const locked = await lockPurpose(tx, data.purposeId, data.version);
  requireAgentPermission(actor, 'agent.write', locked.agent.ownerId);
  if (locked.status === 'EXPIRED') throw new Invalid('An expired purpose cannot change: add a new one.');
  const before = await tx.purpose.findUniqueOrThrow({
    where: { id: data.purposeId },
    select: { task: true, scope: true, environments: true },
  });
  const triggers: [keyof typeof before, ReviewTrigger][] = [
    ['task', 'PURPOSE_CHANGED'],
    ['scope', 'TOOLSET_CHANGED'],
    ['environments', 'ENVIRONMENT_CHANGED'],
  ];
  const changed = triggers.filter(([field]) => JSON.stringify(before[field]) !== JSON.stringify(data[field]));
  if (changed.length === 0) return 'Nothing changed.';
  await tx.purpose.update({
    where: { id: data.purposeId },
    data: {
      task: data.task,
      scope: data.scope,
      environments: data.environments,
      status: 'PENDING',
      approvedById: null,
      approvedAt: null,
      version: { increment: 1 },
    },
  });
  await appendAuditEvent(tx, {
    action: 'purpose.changed',
    actor: who(actor),
    agentId: locked.agentId,
    details: {
      purposeId: data.purposeId,
      changes: Object.fromEntries(changed.map(([f]) => [f, { from: before[f], to: data[f] }])),
    },
  });
  if (locked.agent.status !== 'PROPOSED') {
    for (const [, trigger] of changed) await openOrJoinReview(tx, who(actor), locked.agentId, trigger);
  }
  return 'Saved. The purpose needs approval again.';
}

export async function approvePurpose(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'purpose.approve');
  const data = await readInput(DecidePurposeSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const locked = await lockPurpose(tx, data.purposeId, data.version);
    if (locked.status !== 'PENDING')
      throw new Invalid(
        `Only a pending purpose can be approved; this one is ${wordOf(PURPOSE_STATUS, locked.status)}.`,
      );
    // Read at approval: someone who owns or controls the agent does not approve what it may do.
    if (await heldAgent(tx, actor.id, locked.agentId)) {
      throw new Forbidden(
        'You own or hold a control plane of this agent (or did lately): a security lead independent of it approves ' +
          'its purposes.',
      );
    }
    await tx.purpose.update({
      where: { id: data.purposeId },
      data: { status: 'APPROVED', approvedById: actor.id, approvedAt: new Date(), version: { increment: 1 } },
    });
    await appendAuditEvent(tx, {
      action: 'purpose.approved',
      actor: who(actor),
      agentId: locked.agentId,
      details: { purposeId: data.purposeId },
    });
    return 'Approved.';
  });
}

/** Ends a purpose: a security lead, or the agent's owner. */
export async function expirePurpose(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'agent.write');
  const data = await readInput(ExpirePurposeSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const locked = await lockPurpose(tx, data.purposeId, data.version);
    requireAgentPermission(actor, 'agent.write', locked.agent.ownerId);
    await applyPurposeExpiry(tx, actor, locked, data.reason);
    return 'Expired.';
  });
}
