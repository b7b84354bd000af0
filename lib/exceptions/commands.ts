import 'server-only';
import { lockAgentRows, lockParentAgent } from '@/lib/agents/locks';
import { appendAuditEvent, appendAuditEvents, SYSTEM_ACTOR, type AuditActor, type AuditEventInput } from '@/lib/audit';
import { requireAgentPermission, requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { Conflict, Forbidden, Invalid, NotFound, parseInput } from '@/lib/errors';
import type { ExceptionStatus } from '@/lib/generated/prisma/enums';
import { openOrJoinReview } from '@/lib/reviews/triggers';
import { getSettings } from '@/lib/settings';
import { EXCEPTION_STATUS, EXCEPTION_TYPE, wordOf } from '@/lib/vocabulary';
import { DecideExceptionSchema, EndExceptionSchema, RequestExceptionSchema } from './schema';

const HOUR = 3_600_000;
const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });

type LockedException = {
  id: string;
  agentId: string;
  type: string;
  status: ExceptionStatus;
  requestedById: string;
  requiredApprovals: number;
  credentialId: string | null;
  expiresAt: Date;
};

/** Locks the exception row: every decision on it is serialised here. */
export async function lockException(tx: Tx, exceptionId: string): Promise<LockedException> {
  await lockParentAgent(tx, 'Exception', exceptionId);
  const [row] = await tx.$queryRaw<LockedException[]>`
    SELECT "id", "agentId", "type"::text AS "type", "status"::text AS "status", "requestedById", "requiredApprovals",
      "credentialId", "expiresAt"
    FROM "Exception" WHERE "id" = ${exceptionId} FOR UPDATE`;
  if (!row) throw new NotFound('That exception does not exist.');
  return row;
}

/**
 * Requests a time-bounded exception. The window may not exceed the policy
 * maximum for its type; break-glass on a CRITICAL agent needs two approvers.
 */
export async function requestException(
  actor: Actor | null,
  input: unknown,
): Promise<{ id: string; requiredApprovals: number }> {
  requirePermission(actor, 'exception.request');
  const data = parseInput(RequestExceptionSchema, input);
  return getDb().$transaction(async (tx) => {
    const agent = await tx.agent.findUnique({
      where: { id: data.agentId },
      select: { ownerId: true, riskTier: true, status: true },
    });
    if (!agent) throw new NotFound('That agent does not exist.');
    requireAgentPermission(actor, 'exception.request', agent.ownerId);
    if (agent.status === 'RETIRED') throw new Invalid('A retired agent takes no exceptions.');
    if (data.credentialId) {
      const credential = await tx.credential.findFirst({
        where: { id: data.credentialId, agentId: data.agentId },
        select: { revokedAt: true },
      });
      if (!credential)
        throw new Invalid('Choose one of this agent’s credentials.', {
          credentialId: ['Not a credential of this agent.'],
        });
      if (credential.revokedAt)
        throw new Invalid('That credential is revoked.', {
          credentialId: ['A revoked credential takes no exception.'],
        });
    }
    const maxHours = (await getSettings(tx)).exceptionMaxHours[data.type];
    if (data.durationHours > maxHours) {
      throw new Invalid(
        `A ${wordOf(EXCEPTION_TYPE, data.type)} exception lasts at most ${maxHours} hours under policy.`,
        {
          durationHours: [`At most ${maxHours} hours for this type.`],
        },
      );
    }
    const now = new Date();
    const requiredApprovals = data.type === 'BREAK_GLASS' && agent.riskTier === 'CRITICAL' ? 2 : 1;
    const exception = await tx.exception.create({
      data: {
        type: data.type,
        agentId: data.agentId,
        credentialId: data.credentialId ?? null,
        justification: data.justification,
        requestedById: actor.id,
        requiredApprovals,
        startsAt: now,
        expiresAt: new Date(now.getTime() + data.durationHours * HOUR),
      },
      select: { id: true, expiresAt: true },
    });
    await appendAuditEvent(tx, {
      action: 'exception.requested',
      actor: who(actor),
      agentId: data.agentId,
      credentialId: data.credentialId ?? null,
      details: { exceptionId: exception.id, type: data.type, expiresAt: exception.expiresAt.toISOString() },
    });
    return { id: exception.id, requiredApprovals };
  });
}

/**
 * Approves or rejects. Nobody decides their own request; each person decides
 * once; concurrent decisions queue on the row lock, so two distinct approvals
 * both count and of an approval and a rejection exactly one lands.
 */
export async function decideException(
  actor: Actor | null,
  input: unknown,
): Promise<{ status: ExceptionStatus; approvals: number }> {
  requirePermission(actor, 'exception.decide');
  const data = parseInput(DecideExceptionSchema, input);
  try {
    return await getDb().$transaction(async (tx) => {
      const exception = await lockException(tx, data.exceptionId);
      if (exception.requestedById === actor.id)
        throw new Forbidden('You requested this exception: someone else must decide it (separation of duties).');
      if (exception.status !== 'PENDING') {
        throw new Conflict(
          `This exception is already ${wordOf(EXCEPTION_STATUS, exception.status)}: it can no longer be ` +
            `${data.outcome === 'APPROVE' ? 'approved' : 'rejected'}.`,
        );
      }
      if (exception.expiresAt <= new Date())
        throw new Conflict('Its window has already passed: it can no longer be decided.');
      await tx.exceptionDecision.create({
        data: { exceptionId: exception.id, deciderId: actor.id, outcome: data.outcome, reason: data.reason },
      });
      const approvals = await tx.exceptionDecision.count({ where: { exceptionId: exception.id, outcome: 'APPROVE' } });
      const status: ExceptionStatus =
        data.outcome === 'REJECT' ? 'REJECTED' : approvals >= exception.requiredApprovals ? 'APPROVED' : 'PENDING';
      await tx.exception.update({ where: { id: exception.id }, data: { status, version: { increment: 1 } } });
      await appendAuditEvent(tx, {
        action: data.outcome === 'APPROVE' ? 'exception.approved' : 'exception.rejected',
        actor: who(actor),
        agentId: exception.agentId,
        credentialId: exception.credentialId,
        details: {
          exceptionId: exception.id,
          reason: data.reason,
          ...(data.outcome === 'APPROVE' ? { approvals, required: exception.requiredApprovals } : {}),
        },
      });
      return { status, approvals };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new Conflict('You have already decided this exception; one decision per person.');
    throw error;
  }
}

/** The requester withdraws a pending request. */
export async function withdrawException(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'exception.request');
  const data = parseInput(EndExceptionSchema, input);
  return getDb().$transaction(async (tx) => {
    const exception = await lockException(tx, data.exceptionId);
    if (exception.requestedById !== actor.id) throw new Forbidden('Only the person who requested it can withdraw it.');
    if (exception.status !== 'PENDING')
      throw new Conflict(
        `It is already ${wordOf(EXCEPTION_STATUS, exception.status)}: only a pending request can be withdrawn.`,
      );
    await tx.exception.update({
      where: { id: exception.id },
      data: { status: 'WITHDRAWN', endedAt: new Date(), version: { increment: 1 } },
    });
    await appendAuditEvent(tx, {
      action: 'exception.withdrawn',
      actor: who(actor),
      agentId: exception.agentId,
      details: { exceptionId: exception.id, reason: data.reason },
    });
    return 'Withdrawn.';
  });
}

/** After break-glass ends, its credential must be rotated and a post-incident review opens. */
async function afterBreakGlass(tx: Tx, actor: AuditActor, exception: LockedException) {
  if (exception.type === 'BREAK_GLASS') await openOrJoinReview(tx, actor, exception.agentId, 'POST_INCIDENT');
}

/**
 * Ends an exception in force, inside the caller's transaction, for a caller
 * that has authorised it: revokeException, or a review's reductions (`reviewId`).
 */
export async function applyExceptionRevocation(
  tx: Tx,
  actor: Actor,
  exception: LockedException,
  reason: string,
  reviewId?: string,
) {
  const now = new Date();
  if (exception.status !== 'APPROVED' || exception.expiresAt <= now) {
    throw new Conflict(
      `Only an exception in force can be revoked; this one is ` +
        `${wordOf(EXCEPTION_STATUS, exception.status === 'APPROVED' ? 'EXPIRED' : exception.status)}.`,
    );
  }
  await tx.exception.update({
    where: { id: exception.id },
    data: {
      status: 'REVOKED',
      revokedById: actor.id,
      revokedAt: now,
      revokeReason: reason,
      endedAt: now,
      version: { increment: 1 },
    },
  });
  await appendAuditEvent(tx, {
    action: 'exception.revoked',
    actor: who(actor),
    agentId: exception.agentId,
    credentialId: exception.credentialId,
    details: { exceptionId: exception.id, reason, ...(reviewId ? { reviewId } : {}) },
  });
  await afterBreakGlass(tx, who(actor), exception);
}

/** A PAM approver or security lead ends an approved exception early. */
export async function revokeException(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'exception.revoke');
  const data = parseInput(EndExceptionSchema, input);
  return getDb().$transaction(async (tx) => {
    const exception = await lockException(tx, data.exceptionId);
    await applyExceptionRevocation(tx, actor, exception, data.reason);
    return exception.type === 'BREAK_GLASS'
      ? 'Revoked. Rotate the credential it covered; a post-incident review is open.'
      : 'Revoked.';
  });
}

/**
 * Marks approved exceptions past their expiry EXPIRED, each with one
 * `exception.expired` event. Idempotent and safe to run from several
 * instances at once: the conditional UPDATE claims each row exactly once.
 */
export async function expireDueExceptions(now = new Date()): Promise<number> {
  return getDb().$transaction(async (tx) => {
    // Agents first (the lock order), skipping any another writer holds: their
    // exceptions are claimed on the next run. SKIP LOCKED on the rows too: a
    // row another sweeper (or a revocation) holds is theirs to finish.
    const due = await tx.$queryRaw<{ agentId: string }[]>`
      SELECT DISTINCT "agentId" FROM "Exception" WHERE "status" = 'APPROVED' AND "expiresAt" <= ${now} LIMIT 1000`;
    const agents = await lockAgentRows(
      tx,
      due.map((d) => d.agentId),
      { skipLocked: true },
    );
    if (agents.length === 0) return 0;
    const expired = await tx.$queryRaw<LockedException[]>`
      WITH due AS (
        SELECT "id" FROM "Exception" WHERE "status" = 'APPROVED' AND "expiresAt" <= ${now} AND "agentId" =
          ANY(${agents}::text[])
        ORDER BY "id" FOR UPDATE SKIP LOCKED
      )
      UPDATE "Exception" e SET "status" = 'EXPIRED', "endedAt" = e."expiresAt", "version" = e."version" + 1,
        "updatedAt" = ${now}
      FROM due WHERE e."id" = due."id"
      RETURNING e."id", e."agentId", e."type"::text AS "type", e."status"::text AS "status", e."requestedById",
        e."requiredApprovals", e."credentialId", e."expiresAt"`;
    if (expired.length === 0) return 0;
    const events: AuditEventInput[] = expired.map((e) => ({
      action: 'exception.expired',
      actor: SYSTEM_ACTOR,
      agentId: e.agentId,
      credentialId: e.credentialId,
      occurredAt: e.expiresAt,
      details: { exceptionId: e.id },
    }));
    await appendAuditEvents(tx, events);
    for (const e of expired) await afterBreakGlass(tx, SYSTEM_ACTOR, e);
    return expired.length;
  });
}
