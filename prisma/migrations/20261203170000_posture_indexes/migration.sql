-- The dashboard's two passes (lib/dashboard/queries.ts) read these indexes alone, not the tables: agents by status,
-- tier and ownership, live credentials by storage and issuance. At 100,000 agents and 300,000 credentials a change's
-- recomputed figures took 154 ms over the tables' pages; index-only they take about a third. ("revokedAt",
-- "storage", "issuance") serves every query the ("revokedAt") index did.
CREATE INDEX "Agent_status_riskTier_orphaned_planesAssigned_idx"
  ON "Agent"("status", "riskTier", "orphaned", "planesAssigned");
DROP INDEX "Credential_revokedAt_idx";
CREATE INDEX "Credential_revokedAt_storage_issuance_idx" ON "Credential"("revokedAt", "storage", "issuance");
