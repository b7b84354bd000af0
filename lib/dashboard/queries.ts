import 'server-only';
import type { Actor } from '@/lib/authz';
import { requirePermission } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { countOverdueReviews } from '@/lib/reviews/queries';
import type { AgentStatus, CredentialStorage, RiskTier } from '@/lib/generated/prisma/enums';

export type PostureSummary = {
  agentsByStatus: Record<AgentStatus, number>;
  agentsByTier: Record<RiskTier, number>;
  /** Agents in service (not retired). */
  inService: number;
  /** In service with an active accountable owner and all three planes held by active people. */
  completeOwnership: number;
  /** In service with no or an inactive accountable owner, or an inactive control owner. */
  orphaned: number;
  credentialsByStorage: Partial<Record<CredentialStorage, number>>;
  reviewsOverdue: number;
  pendingExceptions: number;
};

/** The dashboard's figures, each computed in SQL. */
export async function getPostureSummary(actor: Actor): Promise<PostureSummary> {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const now = new Date();
  const [byStatus, byTier, [ownership], byStorage, reviewsOverdue, pendingExceptions] = await Promise.all([
    db.agent.groupBy({ by: ['status'], _count: { _all: true } }),
    db.agent.groupBy({ by: ['riskTier'], where: { status: { not: 'RETIRED' } }, _count: { _all: true } }),
    db.$queryRaw<{ in_service: bigint; complete: bigint; orphaned: bigint }[]>`
      SELECT count(*) AS in_service,
             count(*) FILTER (WHERE owner_active AND active_planes = 3) AS complete,
             count(*) FILTER (WHERE NOT owner_active OR inactive_planes > 0) AS orphaned
      FROM (
        SELECT coalesce(o."active", false) AS owner_active,
               (SELECT count(*) FROM "ControlAssignment" ca JOIN "User" u ON u."id" = ca."userId"
                 WHERE ca."agentId" = a."id" AND u."active") AS active_planes,
               (SELECT count(*) FROM "ControlAssignment" ca JOIN "User" u ON u."id" = ca."userId"
                 WHERE ca."agentId" = a."id" AND NOT u."active") AS inactive_planes
        FROM "Agent" a LEFT JOIN "User" o ON o."id" = a."ownerId"
        WHERE a."status" <> 'RETIRED'
      ) agents`,
    db.credential.groupBy({ by: ['storage'], where: { revokedAt: null }, _count: { _all: true } }),
    countOverdueReviews(now),
    db.exception.count({ where: { status: 'PENDING' } }),
  ]);
  const tally = <K extends string>(keys: readonly K[], rows: { _count: { _all: number } }[], key: (row: never) => K) =>
    Object.fromEntries(keys.map((k) => [k, rows.filter((r) => key(r as never) === k).reduce((n, r) => n + r._count._all, 0)])) as Record<K, number>;
  return {
    agentsByStatus: tally(['PROPOSED', 'ACTIVE', 'SUSPENDED', 'RETIRED'] as const, byStatus, (r: { status: AgentStatus }) => r.status),
    agentsByTier: tally(['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const, byTier, (r: { riskTier: RiskTier }) => r.riskTier),
    inService: Number(ownership?.in_service ?? 0),
    completeOwnership: Number(ownership?.complete ?? 0),
    orphaned: Number(ownership?.orphaned ?? 0),
    credentialsByStorage: Object.fromEntries(byStorage.map((r) => [r.storage, r._count._all])),
    reviewsOverdue,
    pendingExceptions,
  };
}
