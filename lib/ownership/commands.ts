import 'server-only';
import type { z } from 'zod';
import { controlAssigned, lockAgent } from '@/lib/agents/commands';
import { appendAuditEvent, appendAuditEvents, type AuditActor, type AuditEventInput } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { Invalid } from '@/lib/errors';
import { dueAfter } from '@/lib/reviews/cadence';
import { openOrJoinReview, openOrJoinReviews, passReviewsOn } from '@/lib/reviews/triggers';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import { CONTROL_PLANE, wordOf } from '@/lib/vocabulary';
import { AssignControlSchema, AssignOwnerSchema, BulkReassignSchema } from './schema';

async function activePerson(tx: Tx, userId: string, field = 'userId') {
  const person = await tx.user.findUnique({ where: { id: userId }, select: { id: true, name: true, active: true } });
  if (!person?.active)
    throw new Invalid('Choose an active person.', { [field]: ['That person is not active (or does not exist).'] });
  return { id: person.id, name: person.name };
}

/** Sets the agent's accountable owner. For an agent in service this opens an OWNER_CHANGED review. */
export async function assignOwner(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'ownership.assign');
  const data = await readInput(AssignOwnerSchema, input, actor);
  return getDb().$transaction((tx) => assignOwnerIn(tx, actor, data));
}

/** assignOwner inside the caller's transaction, for a caller that read its input. */
export async function assignOwnerIn(
  tx: Tx,
  actor: Actor,
  { agentId, version, userId }: z.output<typeof AssignOwnerSchema>,
): Promise<string> {
  await lockAgent(tx, actor, agentId, version, 'ownership.assign');
  const to = await activePerson(tx, userId);
  const before = await tx.agent.findUniqueOrThrow({
    where: { id: agentId },
    select: { status: true, owner: { select: { id: true, name: true } } },
  });
  if (before.owner?.id === to.id) return `${to.name} already owns it.`;
  await tx.agent.update({ where: { id: agentId }, data: { ownerId: to.id, version: { increment: 1 } } });
  const who: AuditActor = { type: 'USER', id: actor.id };
  await appendAuditEvent(tx, { action: 'owner.assigned', actor: who, agentId, details: { from: before.owner, to } });
  if (before.status === 'ACTIVE' || before.status === 'SUSPENDED')
    await openOrJoinReview(tx, who, agentId, 'OWNER_CHANGED');
  return `${to.name} is now the accountable owner.`;
}

/**
 * Sets who owns one control plane. One person holding all three planes is
 * allowed but flagged: the event records the separation-of-duties warning.
 */
export async function assignControlOwner(
  actor: Actor | null,
  input: unknown,
): Promise<{ message: string; separationOfDutiesWarning: boolean }> {
  requirePermission(actor, 'ownership.assign');
  const data = await readInput(AssignControlSchema, input, actor);
  return getDb().$transaction((tx) => assignControlOwnerIn(tx, actor, data));
}

/** assignControlOwner inside the caller's transaction, for a caller that read its input. */
export async function assignControlOwnerIn(
  tx: Tx,
  actor: Actor,
  { agentId, version, plane, userId }: z.output<typeof AssignControlSchema>,
): Promise<{ message: string; separationOfDutiesWarning: boolean }> {
  await lockAgent(tx, actor, agentId, version, 'ownership.assign');
  const to = await activePerson(tx, userId);
  const current = await tx.controlAssignment.findUnique({
    where: { agentId_plane: { agentId, plane } },
    select: { user: { select: { id: true, name: true } } },
  });
  if (current?.user.id === to.id)
    return { message: `${to.name} already owns ${wordOf(CONTROL_PLANE, plane)}.`, separationOfDutiesWarning: false };
  await tx.controlAssignment.upsert({
    where: { agentId_plane: { agentId, plane } },
    create: { agentId, plane, userId: to.id, assignedById: actor.id },
    update: { userId: to.id, assignedById: actor.id, assignedAt: new Date(), version: { increment: 1 } },
  });
  await tx.agent.update({ where: { id: agentId }, data: { version: { increment: 1 } } });
  const planes = await tx.controlAssignment.findMany({ where: { agentId }, select: { userId: true } });
  const separationOfDutiesWarning = planes.length === 3 && planes.every((p) => p.userId === to.id);
  await appendAuditEvent(
    tx,
    controlAssigned(actor, agentId, plane, current?.user ?? null, to, separationOfDutiesWarning),
  );
  return {
    message: separationOfDutiesWarning
      ? `${to.name} now owns ${wordOf(CONTROL_PLANE, plane)} — and holds all three control planes of this ` +
        `agent. That is allowed, but it defeats separation of duties and is flagged.`
      : `${to.name} now owns ${wordOf(CONTROL_PLANE, plane)}.`,
    separationOfDutiesWarning,
  };
}

export type BulkReassignResult = {
  agentsReassigned: number;
  planesReassigned: number;
  events: number;
  reviewsOpened: number;
  reviewsPassedOn: number;
};

/**
 * Moves everything a person owns or controls (or the chosen agents of it) to
 * another person in one transaction, one audit event per changed assignment.
 */
export async function bulkReassign(actor: Actor | null, input: unknown): Promise<BulkReassignResult> {
  requirePermission(actor, 'ownership.assign');
  const { fromUserId, toUserId, agentIds, reason } = await readInput(BulkReassignSchema, input, actor);
  return getDb().$transaction(
    async (tx) => {
      const from = await tx.user.findUnique({ where: { id: fromUserId }, select: { id: true, name: true } });
      if (!from)
        throw new Invalid('Choose the person whose agents move.', { fromUserId: ['That person does not exist.'] });
      const to = await activePerson(tx, toUserId, 'toUserId');
      const only = agentIds.length > 0 ? { in: agentIds } : undefined;
      // Lock the affected agents in a stable order so concurrent edits queue behind us.
      const locked = await tx.$queryRaw<{ id: string }[]>`
        SELECT a."id" FROM "Agent" a
        WHERE a."status" <> 'RETIRED'
          AND (a."ownerId" = ${fromUserId} OR EXISTS (SELECT 1 FROM "ControlAssignment" c WHERE c."agentId" = a."id"
            AND c."userId" = ${fromUserId}))
        ORDER BY a."id" FOR UPDATE`;
      const lockedIds = locked.map((r) => r.id).filter((id) => !only || agentIds.includes(id));
      if (lockedIds.length === 0)
        throw new Invalid(`${from.name} owns and controls no agent in service${only ? ' among those chosen' : ''}.`);

      const owned = await tx.agent.findMany({
        where: { id: { in: lockedIds }, ownerId: fromUserId },
        select: { id: true },
      });
      const planes = await tx.controlAssignment.findMany({
        where: { agentId: { in: lockedIds }, userId: fromUserId },
        select: { id: true, agentId: true, plane: true },
      });
      await tx.agent.updateMany({ where: { id: { in: owned.map((a) => a.id) } }, data: { ownerId: to.id } });
      await tx.controlAssignment.updateMany({
        where: { id: { in: planes.map((p) => p.id) } },
        data: { userId: to.id, assignedById: actor.id, assignedAt: new Date(), version: { increment: 1 } },
      });
      await tx.agent.updateMany({ where: { id: { in: lockedIds } }, data: { version: { increment: 1 } } });

      const who: AuditActor = { type: 'USER', id: actor.id };
      const fromRef = { id: from.id, name: from.name };
      // The successor ends up holding all three planes of these agents: allowed, but flagged like a single assignment.
      const holdsAll = new Set(
        (
          await tx.controlAssignment.groupBy({
            by: ['agentId'],
            where: { agentId: { in: [...new Set(planes.map((p) => p.agentId))] }, userId: to.id },
            _count: { _all: true },
          })
        )
          .filter((g) => g._count._all === 3)
          .map((g) => g.agentId),
      );
      const events: AuditEventInput[] = [
        ...owned.map((a): AuditEventInput => ({
          action: 'owner.assigned',
          actor: who,
          agentId: a.id,
          details: { from: fromRef, to, bulk: true, reason },
        })),
        ...planes.map((p): AuditEventInput => ({
          action: 'control.assigned',
          actor: who,
          agentId: p.agentId,
          details: {
            plane: p.plane,
            from: fromRef,
            to,
            bulk: true,
            reason,
            ...(holdsAll.has(p.agentId) ? { separationOfDutiesWarning: true } : {}),
          },
        })),
      ];
      await appendAuditEvents(tx, events);
      // The rules of a single change hold for a bulk one: a new owner opens (or joins) each agent's review, and the
      // reviews the leaver was to do on these agents pass to the rule's next reviewer.
      const inService = await tx.agent.findMany({
        where: { id: { in: owned.map((a) => a.id) }, status: { in: ['ACTIVE', 'SUSPENDED'] } },
        select: { id: true },
      });
      const { reviewTiming } = await getSettings(tx);
      const dueAt = dueAfter(new Date(), reviewTiming.triggeredDueDays, reviewTiming.timeZone);
      await openOrJoinReviews(
        tx,
        who,
        inService.map((a) => ({ agentId: a.id, dueAt })),
        'OWNER_CHANGED',
      );
      const reviewsPassedOn = await passReviewsOn(tx, who, fromUserId, lockedIds);
      return {
        agentsReassigned: owned.length,
        planesReassigned: planes.length,
        events: events.length,
        reviewsOpened: inService.length,
        reviewsPassedOn,
      };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
}
