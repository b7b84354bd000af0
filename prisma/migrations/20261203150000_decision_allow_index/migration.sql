-- The ("allowed", "decidedAt") index goes. A use's allowing decision is the latest allow for its credential
-- (lib/ingest/misuse.ts, by ("credentialId", "decidedAt")); walking every allow by time, the old index looked cheaper
-- to PostgreSQL for a use of a credential never decided on, once most allows were of one busy credential: 41 s for a
-- batch of 1,000 uses at 200,000 decisions. Refusals by agent (the delegation findings rule) keep an index.
DROP INDEX "IssuanceDecision_allowed_decidedAt_idx";
CREATE INDEX "IssuanceDecision_allowed_agentId_decidedAt_idx" ON "IssuanceDecision"("allowed", "agentId", "decidedAt");
