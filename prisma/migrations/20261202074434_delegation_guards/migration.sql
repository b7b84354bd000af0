-- CreateIndex
CREATE INDEX "DelegationGrant_status_createdAt_idx" ON "DelegationGrant"("status", "createdAt");

-- Hand-written: the rules a grant row never breaks, whatever writes it (a trigger: the schema engine's diff cannot
-- read CHECK constraints). An agent does not act for itself; whoever asked for a grant does not approve it; an
-- approved grant names its approver and its expiry.
CREATE FUNCTION custodian_delegation_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."delegateId" = NEW."principalId" THEN
    RAISE EXCEPTION 'an agent does not act for itself' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."approvedById" IS NOT NULL AND NEW."approvedById" = NEW."requestedById" THEN
    RAISE EXCEPTION 'whoever asked for a delegation does not approve it' USING ERRCODE = 'check_violation';
  END IF;
  IF NEW."status" = 'APPROVED' AND (NEW."approvedById" IS NULL OR NEW."approvedAt" IS NULL OR NEW."expiresAt" IS NULL)
  THEN
    RAISE EXCEPTION 'an approved delegation names its approver and expiry' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER "DelegationGrant_guard" BEFORE INSERT OR UPDATE ON "DelegationGrant"
  FOR EACH ROW EXECUTE FUNCTION custodian_delegation_guard();
