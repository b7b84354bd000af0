import 'server-only';
import type { Db } from '@/lib/db';
import type { AgentStatus, CredentialStorage, Issuance, RiskTier } from '@/lib/generated/prisma/enums';

// The dashboard's agent and credential figures come from tallies, not from a pass over 100,000 agents and 300,000
// credentials: statement triggers append each write's change of the counts as rows ("AgentTally",
// "CredentialTally"; migration 20261204024452_posture_tallies), and a fold replaces the rows with a recount.
// Appending never contends for a row, so no write waits on another for a counter.

export type AgentTallyRow = {
  status: AgentStatus;
  tier: RiskTier | null;
  n: bigint;
  complete: bigint;
  orphaned: bigint;
};
export type CredentialTallyRow = { storage: CredentialStorage | null; issuance: Issuance | null; n: bigint };

/** Agents by status, and by tier, complete ownership and orphaned among those in service (not retired). */
export function readAgentTally(db: Db): Promise<AgentTallyRow[]> {
  return db.$queryRaw<AgentTallyRow[]>`
    SELECT "status"::text AS "status", CASE WHEN "status" <> 'RETIRED' THEN "riskTier"::text END AS tier,
           sum("n") AS n, coalesce(sum("n") FILTER (WHERE "complete"), 0) AS complete,
           coalesce(sum("n") FILTER (WHERE "orphaned"), 0) AS orphaned
    FROM "AgentTally" GROUP BY 1, 2 HAVING sum("n") <> 0`;
}

/** Live credentials by storage, and by issuance. */
export function readCredentialTally(db: Db): Promise<CredentialTallyRow[]> {
  return db.$queryRaw<CredentialTallyRow[]>`
    SELECT "storage"::text AS "storage", "issuance"::text AS "issuance", sum("n") AS n FROM "CredentialTally"
    GROUP BY GROUPING SETS (("storage"), ("issuance")) HAVING sum("n") <> 0`;
}

/**
 * Replaces each tally's rows by a recount, so reading stays a sum over a few rows (and a tally someone edited by
 * hand is right again). Each recount is one statement: its DELETE and its count see one snapshot, so a write that
 * commits meanwhile keeps its appended rows, which the recount does not include. The lock keeps two folds apart.
 */
export async function foldTallies(db: Db): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('custodian:posture-tallies'))`;
    await tx.$executeRaw`
      WITH gone AS (DELETE FROM "AgentTally")
      INSERT INTO "AgentTally" ("status", "riskTier", "complete", "orphaned", "n")
      SELECT "status", "riskTier", NOT "orphaned" AND "planesAssigned" = 3, "orphaned", count(*)
      FROM "Agent" GROUP BY 1, 2, 3, 4`;
    await tx.$executeRaw`
      WITH gone AS (DELETE FROM "CredentialTally")
      INSERT INTO "CredentialTally" ("storage", "issuance", "n")
      SELECT "storage", "issuance", count(*) FROM "Credential" WHERE "revokedAt" IS NULL GROUP BY 1, 2`;
  });
}
