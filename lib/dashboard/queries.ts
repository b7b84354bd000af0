import 'server-only';
import { can, requirePermission, type Actor } from '@/lib/authz';
import { readSource, type Db } from '@/lib/db';
import { reusedUntilChange } from '@/lib/db/reused';
import { countQueue } from '@/lib/exceptions/queries';
import type { AgentStatus, CredentialStorage, RiskTier } from '@/lib/generated/prisma/enums';
import { ruleById, SEVERITIES, type Severity } from '@/lib/policy/rules';
import { lastFindingsSync, openFindingsByRule } from '@/lib/policy/trend';
import { countOverdueReviews } from '@/lib/reviews/queries';
import { readAgentTally, readCredentialTally } from './tallies';

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

/**
 * The dashboard's figures: the same for everyone, so computed once and reused until the next change to the registry
 * (lib/db/reused.ts). Findings are left out for a reader who may not see them.
 */
export async function getPostureSummary(actor: Actor): Promise<PostureSummary> {
  requirePermission(actor, 'agent.read');
  const { db } = await readSource();
  const figures = await reusedUntilChange(db, 'posture', () => computePosture(db, new Date()));
  if (can(actor, 'findings.read')) return figures;
  return {
    ...figures,
    findingsBySeverity: Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<Severity, number>,
  };
}

/** Every figure in SQL: the agent and credential tallies, and a few indexed counts. */
async function computePosture(db: Db, now: Date): Promise<PostureSummary> {
  const [
    agents,
    credentials,
    reviewsOverdue,
    pendingExceptions,
    activeExceptions,
    expiring24h,
    expiring7d,
    findings,
    findingsAsOf,
  ] = await Promise.all([
    // Maintained by triggers (./tallies.ts): a sum over a few rows, not a pass over every agent and credential.
    readAgentTally(db),
    readCredentialTally(db),
    countOverdueReviews(now, db),
    countQueue(db, 'pending', now),
    countQueue(db, 'in-force', now),
    countQueue(db, 'in-force', now, 24),
    countQueue(db, 'in-force', now, 24 * 7),
    openFindingsByRule(db),
    lastFindingsSync(db),
  ]);
  const findingsBySeverity = Object.fromEntries(SEVERITIES.map((sev) => [sev, 0])) as Record<Severity, number>;
  for (const [ruleId, count] of findings) findingsBySeverity[ruleById(ruleId)!.severity] += count;
  const agentsByStatus = { PROPOSED: 0, ACTIVE: 0, SUSPENDED: 0, RETIRED: 0 } as Record<AgentStatus, number>;
  const agentsByTier = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 } as Record<RiskTier, number>;
  let [inService, completeOwnership, orphaned] = [0, 0, 0];
  for (const row of agents) {
    const n = Number(row.n);
    agentsByStatus[row.status!] += n;
    if (!row.tier) continue;
    agentsByTier[row.tier] += n;
    inService += n;
    completeOwnership += Number(row.complete);
    orphaned += Number(row.orphaned);
  }
  const credentialsByStorage: Partial<Record<CredentialStorage, number>> = {};
  const credentialsByIssuance = { STATIC: 0, DYNAMIC: 0 };
  for (const row of credentials) {
    if (row.storage) credentialsByStorage[row.storage] = Number(row.n);
    else if (row.issuance) credentialsByIssuance[row.issuance] = Number(row.n);
  }
  return {
    agentsByStatus,
    agentsByTier,
    inService,
    completeOwnership,
    orphaned,
    credentialsByStorage,
    reviewsOverdue,
    credentialsByIssuance,
    exceptions: { pending: pendingExceptions, active: activeExceptions, expiring24h, expiring7d },
    findingsBySeverity,
    findingsAsOf,
  };
}
