-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "gated" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "CredentialMisuse" (
    "seq" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "credentialId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "workloadIdentity" TEXT,

    CONSTRAINT "CredentialMisuse_pkey" PRIMARY KEY ("seq","kind")
);

-- CreateIndex
CREATE INDEX "CredentialMisuse_kind_at_idx" ON "CredentialMisuse"("kind", "at");

-- CreateIndex
CREATE INDEX "CredentialMisuse_credentialId_at_idx" ON "CredentialMisuse"("credentialId", "at");

-- A mark is evidence about a recorded event: never changed or removed.
CREATE TRIGGER credential_misuse_no_update_delete
  BEFORE UPDATE OR DELETE ON "CredentialMisuse"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER credential_misuse_no_truncate
  BEFORE TRUNCATE ON "CredentialMisuse"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();

-- Only the marks the ingest knows (a trigger, not a CHECK constraint: Prisma's schema describer cannot read those).
CREATE FUNCTION custodian_misuse_kind() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."kind" NOT IN ('replay-suspected', 'after-decision-ttl', 'no-allowing-decision') THEN
    RAISE EXCEPTION 'unknown misuse mark %', NEW."kind" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER credential_misuse_known_kind
  BEFORE INSERT ON "CredentialMisuse"
  FOR EACH ROW EXECUTE FUNCTION custodian_misuse_kind();

CREATE INDEX "CredentialMisuse_agentId_kind_at_idx" ON "CredentialMisuse"("agentId", "kind", "at");
