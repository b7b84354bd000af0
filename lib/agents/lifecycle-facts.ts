import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { isIndependentLead } from '@/lib/change-requests/commands';
import { getDb, type Db, type Tx } from '@/lib/db';
import { NotFound } from '@/lib/errors';
import { reachableContact } from '@/lib/escalation/sql';
import { Prisma } from '@/lib/generated/prisma/client';
import { lifecycleMoves, type LifecycleFacts, type LifecycleMove } from './lifecycle';

/** What the lifecycle rules read about an agent, now (inside the deciding transaction when given one). */
export async function readLifecycleFacts(db: Db | Tx, agentId: string, now = new Date()): Promise<LifecycleFacts> {
  // One statement (Prisma's relation query sent five): the agent page reads these at every render.
  const [facts] = await db.$queryRaw<LifecycleFacts[]>`
    SELECT a."status"::text AS "status", a."riskTier"::text AS "riskTier", o."active" AS "ownerActive",
      ARRAY(SELECT c."plane"::text FROM "ControlAssignment" c WHERE c."agentId" = a."id" ORDER BY c."plane")
        AS "planesAssigned",
      (SELECT count(*)::int FROM "Purpose" p WHERE p."agentId" = a."id" AND p."status" = 'APPROVED'
        AND (p."expiresAt" IS NULL OR p."expiresAt" > ${now})) AS "approvedPurposes",
      (SELECT count(*)::int FROM "Credential" c WHERE c."agentId" = a."id" AND c."revokedAt" IS NULL)
        AS "unrevokedCredentials",
      (SELECT count(*)::int FROM "Exception" e WHERE e."agentId" = a."id"
        AND (e."status" = 'PENDING' OR (e."status" = 'APPROVED' AND e."expiresAt" > ${now}))) AS "activeExceptions",
      ${reachableContact(Prisma.sql`a."id"`)} AS "hasEscalation"
    FROM "Agent" a LEFT JOIN "User" o ON o."id" = a."ownerId"
    WHERE a."id" = ${agentId}`;
  if (!facts) throw new NotFound('No such agent.');
  return facts;
}

/** The moves the console offers for an agent, with what blocks each (the command's own rules). */
export async function listLifecycleMoves(actor: Actor, agentId: string): Promise<LifecycleMove[]> {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const facts = await readLifecycleFacts(db, agentId);
  const moves = lifecycleMoves(facts);
  if (facts.status !== 'SUSPENDED') return moves;
  // Lifting a suspension also asks who lifts it: the command's own check.
  const problem = await liftProblem(db, actor, agentId);
  return moves.map((move) =>
    move.to === 'ACTIVE' && move.problems.length === 0 && problem ? { ...move, problems: [problem] } : move,
  );
}

/**
 * Why this person may not lift the agent's suspension, read now: only a
 * security lead who neither owns nor controls the agent lifts one, and a
 * suspension a review recorded is lifted only by a later review certified by
 * a reviewer who is not the owner.
 */
export async function liftProblem(tx: Db | Tx, actor: Actor, agentId: string): Promise<string | null> {
  if (await suspendedByReview(tx, agentId)) {
    return 'A review suspended this agent: a new review, certified by a reviewer who is not its owner, lifts it.';
  }
  return leadLiftProblem(tx, actor, agentId);
}

/** Why this person may not lift a suspension a review did not record: only an independent lead lifts one. */
export async function leadLiftProblem(tx: Db | Tx, actor: Actor, agentId: string): Promise<string | null> {
  return (await isIndependentLead(tx, actor, agentId))
    ? null
    : 'Only a security lead who neither owns nor controls this agent (nor did lately) lifts its suspension.';
}

/** Whether the agent's latest suspension was a review's outcome (the event names the review). */
export async function suspendedByReview(tx: Db | Tx, agentId: string): Promise<boolean> {
  const suspension = await tx.auditEvent.findFirst({
    where: { agentId, action: 'agent.status_changed', details: { path: ['to'], equals: 'SUSPENDED' } },
    orderBy: { seq: 'desc' },
    select: { details: true },
  });
  return Boolean((suspension?.details as { reviewId?: string } | null)?.reviewId);
}
