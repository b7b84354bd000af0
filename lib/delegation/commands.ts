import 'server-only';
import { lockAgentRows } from '@/lib/agents/locks';
import { appendAuditEvent, appendAuditEvents, SYSTEM_ACTOR, type AuditActor } from '@/lib/audit';
import { canOnAgent, requireAgentPermission, requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { Conflict, Forbidden, Invalid, NotFound } from '@/lib/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import type { DelegationStatus } from '@/lib/generated/prisma/enums';
import { openOrJoinReview } from '@/lib/reviews/triggers';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import { DELEGATION_STATUS, wordOf } from '@/lib/vocabulary';
import { approverProblem } from './approver';
import { DecideDelegationSchema, RequestDelegationSchema } from './schema';

const DAY = 86_400_000;
const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });

type GrantAgent = { id: string; slug: string; ownerId: string | null; ownerActive: boolean; status: string };
type LockedGrant = {
  id: string;
  status: DelegationStatus;
  requestedById: string;
  requesterActive: boolean;
  createdAt: Date;
  days: number;
  expiresAt: Date | null;
  delegate: GrantAgent;
  principal: GrantAgent;
};

/** Both agents as the rules read them now: slug, owner (and whether still active), status. */
async function readAgents(tx: Tx, ids: string[]): Promise<Map<string, GrantAgent>> {
  const rows = await tx.agent.findMany({
    where: { id: { in: ids } },
    select: { id: true, slug: true, ownerId: true, status: true, owner: { select: { active: true } } },
  });
  return new Map(rows.map(({ owner, ...a }) => [a.id, { ...a, ownerActive: owner?.active === true }]));
}

/** Locks both agents (the lock order: agents first), then the grant: every decision on it is serialised here. */
async function lockGrant(tx: Tx, grantId: string): Promise<LockedGrant> {
  const pair = await tx.delegationGrant.findUnique({
    where: { id: grantId },
    select: { delegateId: true, principalId: true },
  });
  if (!pair) throw new NotFound('That delegation does not exist.');
  await lockAgentRows(tx, [pair.delegateId, pair.principalId]);
  const [grant] = await tx.$queryRaw<Omit<LockedGrant, 'delegate' | 'principal'>[]>`
    SELECT g."id", g."status"::text AS "status", g."requestedById", g."createdAt", g."days", g."expiresAt",
      (SELECT u."active" FROM "User" u WHERE u."id" = g."requestedById") AS "requesterActive"
    FROM "DelegationGrant" g WHERE g."id" = ${grantId} FOR UPDATE OF g`;
  const agents = await readAgents(tx, [pair.delegateId, pair.principalId]);
  return { ...grant!, delegate: agents.get(pair.delegateId)!, principal: agents.get(pair.principalId)! };
}

/** Whether a grant is in force at `now`: approved and before its expiry (whether or not the sweeper has run). */
export function delegationStatusNow(
  grant: { status: DelegationStatus; expiresAt: Date | null },
  now = new Date(),
): DelegationStatus {
  return grant.status === 'APPROVED' && grant.expiresAt && grant.expiresAt <= now ? 'EXPIRED' : grant.status;
}

/**
 * The delegate's owner (or a security lead) asks that it may act for another agent, for named tasks or tools, in
 * named environments, for some days from approval. The principal's review opens only when a grant comes into force:
 * a request alone does not burden an agent its asker does not own.
 */
export async function requestDelegation(actor: Actor | null, input: unknown): Promise<{ id: string }> {
  requirePermission(actor, 'delegation.request');
  const data = await readInput(RequestDelegationSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const principalRow = await tx.agent.findUnique({ where: { slug: data.principal }, select: { id: true } });
    if (!principalRow) {
      throw new Invalid('No agent has that slug.', { principal: ['Name a registered agent by its slug.'] });
    }
    if (principalRow.id === data.delegateId) {
      throw new Invalid('An agent does not act for itself.', { principal: ['Name another agent.'] });
    }
    await lockAgentRows(tx, [data.delegateId, principalRow.id]);
    const agents = await readAgents(tx, [data.delegateId, principalRow.id]);
    const delegate = agents.get(data.delegateId);
    const principal = agents.get(principalRow.id)!;
    if (!delegate) throw new NotFound('That agent does not exist.');
    requireAgentPermission(actor, 'delegation.request', delegate.ownerId);
    for (const a of [delegate, principal]) {
      if (a.status === 'RETIRED') throw new Invalid(`${a.slug} is retired: it takes part in no delegation.`);
    }
    const { delegation } = await getSettings(tx);
    if (data.days > delegation.maxDays) {
      throw new Invalid(`A delegation lasts at most ${delegation.maxDays} days under policy.`, {
        days: [`At most ${delegation.maxDays} days.`],
      });
    }
    const waiting = await tx.delegationGrant.count({
      where: { delegateId: delegate.id, principalId: principal.id, status: 'PENDING' },
    });
    if (waiting > 0) {
      throw new Conflict(
        `A request that ${delegate.slug} may act for ${principal.slug} already waits: its owner decides that one ` +
          'first (or it is withdrawn).',
      );
    }
    const grant = await tx.delegationGrant.create({
      data: {
        delegateId: delegate.id,
        principalId: principal.id,
        tasks: data.tasks,
        environments: data.environments,
        justification: data.justification,
        days: data.days,
        requestedById: actor.id,
      },
      select: { id: true },
    });
    await appendAuditEvent(tx, {
      action: 'delegation.requested',
      actor: who(actor),
      agentId: principal.id,
      details: {
        grantId: grant.id,
        delegate: { id: delegate.id, slug: delegate.slug },
        tasks: data.tasks,
        environments: data.environments,
        days: data.days,
        justification: data.justification,
      },
    });
    return grant;
  });
}

/**
 * The principal's owner (or a security lead, see approverProblem) approves: the grant runs from now, and the
 * principal's lifecycle review opens or is joined.
 */
export async function approveDelegation(actor: Actor | null, input: unknown): Promise<{ expiresAt: Date }> {
  requirePermission(actor, 'delegation.approve');
  const data = await readInput(DecideDelegationSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const grant = await lockGrant(tx, data.grantId);
    const { problem, asLead } = approverProblem(actor, grant);
    if (problem) throw new Forbidden(problem);
    if (grant.status !== 'PENDING') {
      throw new Conflict(
        `This delegation is already ${wordOf(DELEGATION_STATUS, grant.status)}: only a request waits.`,
      );
    }
    for (const a of [grant.delegate, grant.principal]) {
      if (a.status === 'RETIRED') throw new Conflict(`${a.slug} is retired: it takes part in no delegation.`);
    }
    if (!grant.requesterActive) {
      throw new Conflict(
        `Whoever asked for it has left: ${grant.delegate.slug}’s owner asks again if it is still needed.`,
      );
    }
    // The policy's maximum in force now, not when it was asked for; past it, the request has lapsed (sweep or not).
    const { delegation } = await getSettings(tx);
    const now = new Date();
    if (grant.createdAt.getTime() <= now.getTime() - delegation.maxDays * DAY) {
      throw new Conflict(`This request lapsed undecided: ${grant.delegate.slug}’s owner asks again if still needed.`);
    }
    const expiresAt = new Date(now.getTime() + Math.min(grant.days, delegation.maxDays) * DAY);
    await tx.delegationGrant.update({
      where: { id: grant.id },
      data: { status: 'APPROVED', approvedById: actor.id, approvedAt: now, expiresAt, version: { increment: 1 } },
    });
    await appendAuditEvent(tx, {
      action: 'delegation.approved',
      actor: who(actor),
      agentId: grant.principal.id,
      details: {
        grantId: grant.id,
        delegate: { id: grant.delegate.id, slug: grant.delegate.slug },
        expiresAt: expiresAt.toISOString(),
        reason: data.reason,
        ...(asLead ? { asLead } : {}),
      },
    });
    await openOrJoinReview(tx, who(actor), grant.principal.id, 'DELEGATION_CHANGED');
    return { expiresAt };
  });
}

/**
 * Either agent's owner or a security lead ends a grant in force, or refuses (withdraws) a request: a decision that
 * relies on it is refused from this moment.
 */
export async function revokeDelegation(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'delegation.revoke');
  const data = await readInput(DecideDelegationSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const grant = await lockGrant(tx, data.grantId);
    const mayRevoke = [grant.delegate, grant.principal].some((a) => canOnAgent(actor, 'delegation.revoke', a.ownerId));
    if (!mayRevoke) {
      throw new Forbidden(
        `Only the owner of ${grant.delegate.slug} or of ${grant.principal.slug}, or a security lead, revokes it.`,
      );
    }
    const now = new Date();
    const status = delegationStatusNow(grant, now);
    if (status !== 'PENDING' && status !== 'APPROVED') {
      throw new Conflict(`This delegation is already ${wordOf(DELEGATION_STATUS, status)}: nothing to revoke.`);
    }
    await tx.delegationGrant.update({
      where: { id: grant.id },
      data: {
        status: 'REVOKED',
        revokedById: actor.id,
        revokedAt: now,
        revokeReason: data.reason,
        endedAt: now,
        version: { increment: 1 },
      },
    });
    await appendAuditEvent(tx, {
      action: 'delegation.revoked',
      actor: who(actor),
      agentId: grant.principal.id,
      details: {
        grantId: grant.id,
        delegate: { id: grant.delegate.id, slug: grant.delegate.slug },
        reason: data.reason,
        ...(status === 'PENDING' ? { wasPending: true } : {}),
      },
    });
    // A grant that was in force changed who may act for the principal; a refused request changed nothing.
    if (status === 'APPROVED') await openOrJoinReview(tx, who(actor), grant.principal.id, 'DELEGATION_CHANGED');
    return status === 'PENDING' ? 'Refused: the request is closed.' : 'Revoked: no decision relies on it from now.';
  });
}

/**
 * Marks grants past their expiry EXPIRED, and requests nobody decided within the policy's longest grant
 * (`delegation.maxDays`), each with one `delegation.expired` event at the moment it ended. The exceptions' sweep
 * runs it; safe from several instances at once: the agents are locked (skipping any another writer holds) and the
 * conditional UPDATE claims each row exactly once.
 */
export async function expireDueDelegations(now = new Date()): Promise<number> {
  return getDb().$transaction(async (tx) => {
    const { delegation } = await getSettings(tx);
    const lapseBefore = new Date(now.getTime() - delegation.maxDays * DAY);
    const dueNow = Prisma.sql`(("status" = 'APPROVED' AND "expiresAt" <= ${now})
      OR ("status" = 'PENDING' AND "createdAt" <= ${lapseBefore}))`;
    const due = await tx.$queryRaw<{ delegateId: string; principalId: string }[]>`
      SELECT "delegateId", "principalId" FROM "DelegationGrant" WHERE ${dueNow} LIMIT 1000`;
    const agents = await lockAgentRows(
      tx,
      due.flatMap((d) => [d.delegateId, d.principalId]),
      { skipLocked: true },
    );
    if (agents.length === 0) return 0;
    const ended = await tx.$queryRaw<
      { id: string; principalId: string; endedAt: Date; undecided: boolean; delegateId: string; delegateSlug: string }[]
    >`
      WITH due AS (
        SELECT "id" FROM "DelegationGrant" WHERE ${dueNow}
          AND "delegateId" = ANY(${agents}::text[]) AND "principalId" = ANY(${agents}::text[])
        ORDER BY "id" FOR UPDATE SKIP LOCKED
      )
      UPDATE "DelegationGrant" g SET "status" = 'EXPIRED', "version" = g."version" + 1, "updatedAt" = ${now},
        "endedAt" = CASE WHEN g."status" = 'APPROVED' THEN g."expiresAt"
          ELSE g."createdAt" + make_interval(days => ${delegation.maxDays}::int) END
      FROM due, "Agent" d WHERE g."id" = due."id" AND d."id" = g."delegateId"
      RETURNING g."id", g."principalId", g."endedAt", g."approvedAt" IS NULL AS "undecided", g."delegateId",
        d."slug" AS "delegateSlug"`;
    if (ended.length === 0) return 0;
    await appendAuditEvents(
      tx,
      ended.map((g) => ({
        action: 'delegation.expired' as const,
        actor: SYSTEM_ACTOR,
        agentId: g.principalId,
        occurredAt: g.endedAt,
        details: {
          grantId: g.id,
          delegate: { id: g.delegateId, slug: g.delegateSlug },
          ...(g.undecided ? { undecided: true } : {}),
        },
      })),
    );
    return ended.length;
  });
}
