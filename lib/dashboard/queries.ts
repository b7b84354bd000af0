import 'server-only';
import { can, requirePermission, type Actor } from '@/lib/authz';
import { readSource } from '@/lib/db';
import type { AgentStatus, CredentialStorage, RiskTier } from '@/lib/generated/prisma/enums';
import { ruleById, SEVERITIES, type Severity } from '@/lib/policy/rules';
import { lastFindingsSync, openFindingsByRule } from '@/lib/policy/trend';
import { countOverdueReviews } from '@/lib/reviews/queries';

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
  credentialsByIssuance: { STATIC: number; DYNAMIC: number };
  exceptions: { pending: number; active: number; expiring24h: number; expiring7d: number };
  /** Open findings by severity at the last findings sync (`findingsAsOf`). */
  findingsBySeverity: Record<Severity, number>;
  findingsAsOf: Date | null;
};

/** The dashboard's figures, each computed in SQL. */
export async function getPostureSummary(actor: Actor): Promise<PostureSummary> {
  requirePermission(actor, 'agent.read');
  const { db } = await readSource();
  const now = new Date();
  const inForce = (hours?: number) => ({
    status: 'APPROVED' as const,
    expiresAt: { gt: now, ...(hours ? { lte: new Date(now.getTime() + hours * 3_600_000) } : {}) },
  });
  const [
    byStatus,
    byTier,
    [ownership],
    byStorage,
    reviewsOverdue,
    pendingExceptions,
    activeExceptions,
    expiring24h,
    expiring7d,
    byIssuance,
    findings,
    findingsAsOf,
  ] = await Promise.all([
    db.agent.groupBy({ by: ['status'], _count: { _all: true } }),
    db.agent.groupBy({ by: ['riskTier'], where: { status: { not: 'RETIRED' } }, _count: { _all: true } }),
    // "orphaned" and "planesAssigned" are kept per agent by triggers: one pass, no joins.
    db.$queryRaw<{ in_service: bigint; complete: bigint; orphaned: bigint }[]>`
      SELECT count(*) AS in_service,
             count(*) FILTER (WHERE NOT a."orphaned" AND a."planesAssigned" = 3) AS complete,
             count(*) FILTER (WHERE a."orphaned") AS orphaned
      FROM "Agent" a WHERE a."status" <> 'RETIRED'`,
    db.credential.groupBy({ by: ['storage'], where: { revokedAt: null }, _count: { _all: true } }),
    countOverdueReviews(now),
    db.exception.count({ where: { status: 'PENDING', expiresAt: { gt: now } } }),
    db.exception.count({ where: inForce() }),
    db.exception.count({ where: inForce(24) }),
    db.exception.count({ where: inForce(24 * 7) }),
    db.credential.groupBy({ by: ['issuance'], where: { revokedAt: null }, _count: { _all: true } }),
    can(actor, 'findings.read') ? openFindingsByRule(db) : Promise.resolve(new Map<string, number>()),
    lastFindingsSync(db),
  ]);
  const findingsBySeverity = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<Severity, number>;
  for (const [ruleId, count] of findings) findingsBySeverity[ruleById(ruleId)!.severity] += count;
  const tally = <K extends string>(keys: readonly K[], rows: { _count: { _all: number } }[], key: (row: never) => K) =>
    Object.fromEntries(
      keys.map((k) => [k, rows.filter((r) => key(r as never) === k).reduce((n, r) => n + r._count._all, 0)]),
    ) as Record<K, number>;
  return {
    agentsByStatus: tally(
      ['PROPOSED', 'ACTIVE', 'SUSPENDED', 'RETIRED'] as const,
      byStatus,
      (r: { status: AgentStatus }) => r.status,
    ),
    agentsByTier: tally(
      ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'] as const,
      byTier,
      (r: { riskTier: RiskTier }) => r.riskTier,
    ),
    inService: Number(ownership?.in_service ?? 0),
    completeOwnership: Number(ownership?.complete ?? 0),
    orphaned: Number(ownership?.orphaned ?? 0),
    credentialsByStorage: Object.fromEntries(byStorage.map((r) => [r.storage, r._count._all])),
    reviewsOverdue,
    credentialsByIssuance: {
      STATIC: byIssuance.find((r) => r.issuance === 'STATIC')?._count._all ?? 0,
      DYNAMIC: byIssuance.find((r) => r.issuance === 'DYNAMIC')?._count._all ?? 0,
    },
    exceptions: { pending: pendingExceptions, active: activeExceptions, expiring24h, expiring7d },
    findingsBySeverity,
    findingsAsOf,
  };
}
