import 'server-only';
import { lockAgentRows, lockParentAgent } from '@/lib/agents/locks';
import { appendAuditEvent, appendAuditEvents, SYSTEM_ACTOR, type AuditActor, type AuditEventInput } from '@/lib/audit';
import { requireAgentPermission, requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { Conflict, Forbidden, Invalid, NotFound } from '@/lib/errors';
import type { ExceptionStatus } from '@/lib/generated/prisma/enums';
import { STATIC_CREDENTIAL_EXCEPTIONS } from '@/lib/issuance/facts';
import { openOrJoinReview } from '@/lib/reviews/triggers';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import { standingGivenBy } from '@/lib/users/standing';
import { EXCEPTION_STATUS, EXCEPTION_TYPE, wordOf } from '@/lib/vocabulary';
import { DecideExceptionSchema, EndExceptionSchema, RequestExceptionSchema } from './schema';
import { ONLY_CREDENTIAL } from './sql';

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
  windowMinutes?: number | null;
  createdAt: Date;
};

/** Locks the exception row: every decision on it is serialised here. */
export async function lockException(tx: Tx, exceptionId: string): Promise<LockedException> {
  await lockParentAgent(tx, 'Exception', exceptionId);
  const [row] = await tx.$queryRaw<LockedException[]>`
    SELECT e."id", e."agentId", e."type"::text AS "type", e."status"::text AS "status", e."requestedById",
      e."requiredApprovals", e."expiresAt", e."windowMinutes", e."createdAt", ${ONLY_CREDENTIAL} AS "credentialId"
    FROM "Exception" e WHERE e."id" = ${exceptionId} FOR UPDATE`;
  if (!row) throw new NotFound('That exception does not exist.');
  return row;
}

/**
 * On a CRITICAL agent, an exception that lets the issuance gate hand out a static credential (a break-glass, a
 * persistent token: STATIC_CREDENTIAL_EXCEPTIONS) needs two approvers; anything else one.
 */
function approvalsNeeded(type: string, riskTier: string): number {
  return STATIC_CREDENTIAL_EXCEPTIONS.includes(type) && riskTier === 'CRITICAL' ? 2 : 1;
}

const MIN_WINDOW_MINUTES = 15;

/** A requested window in whole minutes, at least 15, at most the policy maximum for its type. */
function windowMinutesOf(hours: number, maxHours: number, type: string): number {
  const minutes = hours * 60;
  if (Math.abs(minutes - Math.round(minutes)) > 1e-9 || Math.round(minutes) < MIN_WINDOW_MINUTES) {
    throw new Invalid('The window must be a whole number of minutes, at least 15.', {
      durationHours: ['Give at least 0.25 hours (15 minutes), in whole minutes.'],
    });
  }
  if (hours > maxHours) {
    throw new Invalid(`A ${wordOf(EXCEPTION_TYPE, type)} exception lasts at most ${maxHours} hours under policy.`, {
      durationHours: [`At most ${maxHours} hours for this type.`],
    });
  }
  return Math.round(minutes);
}

/** The credentials a request covers: this agent's, unrevoked; each refusal names the field. */
async function coveredCredentials(tx: Tx, agentId: string, ids: string[]): Promise<{ id: string; name: string }[]> {
  if (ids.length === 0) return [];
  const found = await tx.credential.findMany({
    where: { id: { in: ids }, agentId },
    select: { id: true, name: true, revokedAt: true },
    orderBy: { name: 'asc' },
  });
  if (found.length !== ids.length) {
    throw new Invalid('Choose this agent’s credentials.', { credentialIds: ['Not a credential of this agent.'] });
  }
  const revoked = found.filter((c) => c.revokedAt);
  if (revoked.length > 0) {
    throw new Invalid('A revoked credential takes no exception.', {
      credentialIds: [`${revoked.map((c) => c.name).join(', ')} ${revoked.length === 1 ? 'is' : 'are'} revoked.`],
    });
  }
  return found.map(({ id, name }) => ({ id, name }));
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
  const data = await readInput(RequestExceptionSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const agent = await tx.agent.findUnique({
      where: { id: data.agentId },
      select: { ownerId: true, riskTier: true, status: true },
    });
    if (!agent) throw new NotFound('That agent does not exist.');
    requireAgentPermission(actor, 'exception.request', agent.ownerId);
    if (agent.status === 'RETIRED') throw new Invalid('A retired agent takes no exceptions.');
    const covered = await coveredCredentials(tx, data.agentId, data.credentialIds);
    const settings = await getSettings(tx);
    const windowMinutes = windowMinutesOf(data.durationHours, settings.exceptionMaxHours[data.type], data.type);
    const now = new Date();
    const requiredApprovals = approvalsNeeded(data.type, agent.riskTier);
    // The window starts at the final approval; until then the request waits, and lapses undecided.
    const exception = await tx.exception.create({
      data: {
        type: data.type,
        agentId: data.agentId,
        justification: data.justification,
        noCredentialReason: data.noCredentialReason ?? null,
        credentials: { create: covered.map((c) => ({ credentialId: c.id })) },
        requestedById: actor.id,
        requiredApprovals,
        windowMinutes,
        startsAt: now,
        expiresAt: new Date(now.getTime() + settings.exceptionLapseHours[data.type] * HOUR),
      },
      select: { id: true, expiresAt: true },
    });
    await appendAuditEvent(tx, {
      action: 'exception.requested',
      actor: who(actor),
      agentId: data.agentId,
      credentialId: covered.length === 1 ? covered[0]!.id : null,
      details: {
        exceptionId: exception.id,
        type: data.type,
        credentials: covered,
        ...(data.noCredentialReason ? { noCredentialReason: data.noCredentialReason } : {}),
        windowMinutes,
        // What the registry check replays (lib/audit/drift.ts): never fewer approvals than were needed when asked.
        requiredApprovals,
        lapsesAt: exception.expiresAt.toISOString(),
      },
    });
    return { id: exception.id, requiredApprovals };
  });
}

/**
 * What stops an approval, read now: a requester who has left (their need left with them), or an approver whose
 * standing the requester gave lately (standingGivenBy), who is no second person.
 */
async function approvalProblem(tx: Tx, actor: Actor, exception: LockedException): Promise<string | null> {
  const requester = await tx.user.findUnique({ where: { id: exception.requestedById }, select: { active: true } });
  if (!requester?.active) return 'The person who asked for this exception is no longer active: reject it instead.';
  if (await standingGivenBy(tx, exception.requestedById, actor.id, exception.createdAt)) {
    return 'The person who asked for this exception made you an approver (a role or a reactivation): another decides.';
  }
  return null;
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
  const data = await readInput(DecideExceptionSchema, input, actor);
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
      const now = new Date();
      if (exception.expiresAt <= now)
        throw new Conflict('This request lapsed undecided: the owner asks again if it is still needed.');
      if (data.outcome === 'APPROVE') {
        const problem = await approvalProblem(tx, actor, exception);
        if (problem) throw new Forbidden(problem);
      }
      await tx.exceptionDecision.create({
        data: { exceptionId: exception.id, deciderId: actor.id, outcome: data.outcome, reason: data.reason },
      });
      // The rules are read now: the approvals the agent's tier requires today (never fewer than at the request),
      // and the policy maximum in force when the window starts.
      const agent = await tx.agent.findUniqueOrThrow({ where: { id: exception.agentId }, select: { riskTier: true } });
      const required = Math.max(exception.requiredApprovals, approvalsNeeded(exception.type, agent.riskTier));
      // Approvals count from people who can still give one: an approver who left or lost the role since is not one.
      const approvals = await tx.exceptionDecision.count({
        where: {
          exceptionId: exception.id,
          outcome: 'APPROVE',
          decider: { active: true, roles: { has: 'PAM_APPROVER' } },
        },
      });
      const status: ExceptionStatus =
        data.outcome === 'REJECT' ? 'REJECTED' : approvals >= required ? 'APPROVED' : 'PENDING';
      let window: { startsAt?: Date; expiresAt?: Date } = {};
      if (status === 'APPROVED') {
        const settings = await getSettings(tx);
        const minutes = exception.windowMinutes ?? Math.round((exception.expiresAt.getTime() - now.getTime()) / 60_000);
        const maxMinutes = settings.exceptionMaxHours[exception.type as keyof typeof settings.exceptionMaxHours] * 60;
        window = { startsAt: now, expiresAt: new Date(now.getTime() + Math.min(minutes, maxMinutes) * 60_000) };
      }
      await tx.exception.update({
        where: { id: exception.id },
        data: { status, requiredApprovals: required, ...window, version: { increment: 1 } },
      });
      await appendAuditEvent(tx, {
        action: data.outcome === 'APPROVE' ? 'exception.approved' : 'exception.rejected',
        actor: who(actor),
        agentId: exception.agentId,
        credentialId: exception.credentialId,
        details: {
          exceptionId: exception.id,
          reason: data.reason,
          // What the registry check replays (lib/audit/drift.ts): an exception in force that no approval put there,
          // or with fewer approvers on record than it needed, or for longer, was changed outside Custodian.
          ...(data.outcome === 'APPROVE' ? { approvals, required, status } : {}),
          ...(window.expiresAt ? { expiresAt: window.expiresAt.toISOString() } : {}),
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
  const data = await readInput(EndExceptionSchema, input, actor);
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

/** After break-glass ends, its covered credentials must be rotated and a post-incident review opens (or joins). */
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
  const data = await readInput(EndExceptionSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const exception = await lockException(tx, data.exceptionId);
    await applyExceptionRevocation(tx, actor, exception, data.reason);
    return exception.type === 'BREAK_GLASS'
      ? 'Revoked. Rotate (or revoke) each credential it covered: the post-incident review certifies only then.'
      : 'Revoked.';
  });
}

/**
 * Marks pending requests nobody decided before they lapse as LAPSED, each
 * with one `exception.lapsed` event (claimed like expiry: several sweepers at
 * once record each lapse exactly once).
 */
export async function lapseDueRequests(now = new Date()): Promise<number> {
  return getDb().$transaction(async (tx) => {
    const due = await tx.$queryRaw<{ agentId: string }[]>`
      SELECT DISTINCT "agentId" FROM "Exception" WHERE "status" = 'PENDING' AND "expiresAt" <= ${now} LIMIT 1000`;
    const agents = await lockAgentRows(
      tx,
      due.map((d) => d.agentId),
      { skipLocked: true },
    );
    if (agents.length === 0) return 0;
    const lapsed = await tx.$queryRaw<{ id: string; agentId: string; credentialId: string | null; expiresAt: Date }[]>`
      WITH due AS (
        SELECT "id" FROM "Exception" WHERE "status" = 'PENDING' AND "expiresAt" <= ${now}
          AND "agentId" = ANY(${agents}::text[])
        ORDER BY "id" FOR UPDATE SKIP LOCKED
      )
      UPDATE "Exception" e SET "status" = 'LAPSED', "endedAt" = e."expiresAt", "version" = e."version" + 1,
        "updatedAt" = ${now}
      FROM due WHERE e."id" = due."id"
      RETURNING e."id", e."agentId", ${ONLY_CREDENTIAL} AS "credentialId", e."expiresAt"`;
    await appendAuditEvents(
      tx,
      lapsed.map((e) => ({
        action: 'exception.lapsed' as const,
        actor: SYSTEM_ACTOR,
        agentId: e.agentId,
        credentialId: e.credentialId,
        occurredAt: e.expiresAt,
        details: { exceptionId: e.id },
      })),
    );
    return lapsed.length;
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
        e."requiredApprovals", ${ONLY_CREDENTIAL} AS "credentialId", e."expiresAt"`;
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
