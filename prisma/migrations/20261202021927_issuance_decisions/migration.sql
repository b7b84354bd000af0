-- CreateTable
CREATE TABLE "IssuanceDecision" (
    "id" TEXT NOT NULL,
    "agentId" TEXT,
    "credentialId" TEXT,
    "workloadIdentity" TEXT NOT NULL,
    "allowed" BOOLEAN NOT NULL,
    "decidedAt" TIMESTAMPTZ(3) NOT NULL,
    "validUntil" TIMESTAMPTZ(3),
    "tokenId" TEXT NOT NULL,

    CONSTRAINT "IssuanceDecision_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IssuanceDecision_credentialId_decidedAt_idx" ON "IssuanceDecision"("credentialId", "decidedAt");

-- CreateIndex
CREATE INDEX "IssuanceDecision_agentId_decidedAt_idx" ON "IssuanceDecision"("agentId", "decidedAt");

-- A decision, once recorded, is evidence: the projection is append-only like the events it mirrors.
CREATE TRIGGER issuance_decision_no_update_delete
  BEFORE UPDATE OR DELETE ON "IssuanceDecision"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER issuance_decision_no_truncate
  BEFORE TRUNCATE ON "IssuanceDecision"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();
