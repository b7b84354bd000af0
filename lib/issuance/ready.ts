import { reachableContact } from '@/lib/escalation/sql';
import { Prisma } from '@/lib/generated/prisma/client';
import { SEVERITIES } from '@/lib/policy/rules';

/**
 * SQL over an agent `a`: every agent-level rule of the issuance gate passes for at least one approved purpose —
 * active, with a workload identity, an active owner and three active plane owners (the trigger-kept `orphaned` and
 * `planesAssigned`), someone to page at HIGH and CRITICAL, a purpose in effect naming an environment, no review
 * overdue, and no CRITICAL finding. The list reads CRITICAL findings as of the last findings sync (indexed by
 * agent); the gate itself, and the agent page's dry run, evaluate them live.
 */
export function readyForIssuance(now: Date): Prisma.Sql {
  return Prisma.sql`(a."status" = 'ACTIVE' AND a."workloadIdentity" IS NOT NULL AND NOT a."orphaned"
    AND a."planesAssigned" = 3
    AND (a."openReviewDueAt" IS NULL OR a."openReviewDueAt" > ${now})
    AND (a."nextReviewDue" IS NULL OR a."nextReviewDue" > ${now})
    AND (a."riskTier" NOT IN ('HIGH', 'CRITICAL') OR ${reachableContact(Prisma.sql`a."id"`)})
    AND EXISTS (SELECT 1 FROM "Purpose" p WHERE p."agentId" = a."id" AND p."status" = 'APPROVED'
      AND (p."expiresAt" IS NULL OR p."expiresAt" > ${now}) AND cardinality(p."environments") > 0)
    AND NOT EXISTS (SELECT 1 FROM "FindingState" f WHERE f."agentId" = a."id"
      AND f."severityRank" = ${SEVERITIES.indexOf('CRITICAL')}))`;
}
