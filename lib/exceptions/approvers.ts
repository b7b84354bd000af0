import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';

export type EligibleApprover = { id: string; name: string | null; isPamOwner: boolean };

/**
 * Who can approve a request on this agent: active PAM approvers other than the
 * requester, the agent's PAM control owner first.
 */
export async function listEligibleApprovers(actor: Actor, agentId: string): Promise<EligibleApprover[]> {
  requirePermission(actor, 'agent.read');
  const [approvers, pam] = await Promise.all([
    getDb().user.findMany({
      where: { active: true, roles: { has: 'PAM_APPROVER' }, id: { not: actor.id } },
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      select: { id: true, name: true },
    }),
    getDb().controlAssignment.findUnique({
      where: { agentId_plane: { agentId, plane: 'PAM' } },
      select: { userId: true },
    }),
  ]);
  return approvers
    .map((a) => ({ ...a, isPamOwner: a.id === pam?.userId }))
    .sort((a, b) => Number(b.isPamOwner) - Number(a.isPamOwner));
}

/** A break-glass on this agent that ended without its credential being rotated since. */
export async function findUnclosedBreakGlass(
  agentId: string,
): Promise<{ id: string; endedAt: Date; credentialName: string } | null> {
  const rows = await getDb().$queryRaw<{ id: string; endedAt: Date; credentialName: string }[]>`
    SELECT e."id", e."endedAt", c."name" AS "credentialName"
    FROM "Exception" e JOIN "Credential" c ON c."id" = e."credentialId"
    WHERE e."agentId" = ${agentId} AND e."type" = 'BREAK_GLASS' AND e."endedAt" IS NOT NULL
      AND e."status" IN ('EXPIRED', 'REVOKED') AND c."revokedAt" IS NULL
      AND (c."lastRotatedAt" IS NULL OR c."lastRotatedAt" < e."endedAt")
    ORDER BY e."endedAt" DESC LIMIT 1`;
  return rows[0] ?? null;
}

/** How many agents carry a break-glass that ended without its credential being rotated since. */
export async function countAgentsWithUnclosedBreakGlass(): Promise<number> {
  const [row] = await getDb().$queryRaw<{ n: bigint }[]>`
    SELECT count(DISTINCT e."agentId") AS n
    FROM "Exception" e JOIN "Credential" c ON c."id" = e."credentialId"
    WHERE e."type" = 'BREAK_GLASS' AND e."endedAt" IS NOT NULL AND e."status" IN ('EXPIRED', 'REVOKED')
      AND c."revokedAt" IS NULL AND (c."lastRotatedAt" IS NULL OR c."lastRotatedAt" < e."endedAt")`;
  return Number(row?.n ?? 0);
}
