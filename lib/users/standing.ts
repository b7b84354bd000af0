import 'server-only';
import type { Tx } from '@/lib/db';

/**
 * "Lately", for the rules about who is too close to decide: someone who held an agent, was given their standing by a
 * requester, or lost a deciding role, within this many days.
 */
export const LATELY_DAYS = 30;

/**
 * Whether the requester gave the decider their standing lately: reactivated them, or granted them a deciding role
 * (ADMIN, PAM_APPROVER) or asked for that grant, in the 30 days before the request or since. Such a decider is no
 * second person (change requests and exceptions alike; the redaction function in the database holds auditors to the
 * same).
 */
export async function standingGivenBy(
  tx: Tx,
  requesterId: string,
  deciderId: string,
  requestedAt: Date,
): Promise<boolean> {
  // Within the 30 days before the request, or since it (a standing given years ago is no arrangement).
  const since = new Date(requestedAt.getTime() - LATELY_DAYS * 86_400_000);
  const given = await tx.$queryRaw<{ given: number }[]>`
    SELECT 1 AS "given" FROM "AuditEvent" e
    WHERE e."action" IN ('role.granted', 'user.reactivated') AND e."details"->>'userId' = ${deciderId}
      AND (e."action" = 'user.reactivated' OR e."details"->>'role' IN ('ADMIN', 'PAM_APPROVER'))
      AND e."actorId" = ${requesterId} AND e."recordedAt" >= ${since}
    UNION ALL
    SELECT 1 FROM "ChangeRequest" c
    WHERE c."kind" = 'ROLE_GRANT' AND c."status" = 'APPLIED' AND c."targetUserId" = ${deciderId}
      AND c."requestedById" = ${requesterId} AND c."decidedAt" >= ${since}
    LIMIT 1`;
  return given.length > 0;
}
