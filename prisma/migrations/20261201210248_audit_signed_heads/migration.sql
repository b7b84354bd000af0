-- Signed heads (one signature per append transaction) and numbered checkpoints. Edited by hand: existing
-- checkpoints are numbered in seq order and marked format 1 (their signatures do not cover a number).

-- AlterTable
ALTER TABLE "AuditCheckpoint" ADD COLUMN "format" INTEGER NOT NULL DEFAULT 2,
ADD COLUMN "number" BIGINT;

ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER audit_checkpoint_no_update_delete;
UPDATE "AuditCheckpoint" c SET "number" = n.number, "format" = 1
FROM (SELECT "id", row_number() OVER (ORDER BY "seq", "signedAt") AS number FROM "AuditCheckpoint") n
WHERE n."id" = c."id";
ALTER TABLE "AuditCheckpoint" ENABLE TRIGGER audit_checkpoint_no_update_delete;

ALTER TABLE "AuditCheckpoint" ALTER COLUMN "number" SET NOT NULL;

-- CreateTable
CREATE TABLE "AuditSignature" (
    "seq" BIGINT NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "signedAt" TIMESTAMPTZ(3) NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditSignature_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "AuditCheckpoint_number_key" ON "AuditCheckpoint"("number");

-- Append-only, like the events and checkpoints.
CREATE TRIGGER audit_signature_no_update_delete
  BEFORE UPDATE OR DELETE ON "AuditSignature"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_signature_no_truncate
  BEFORE TRUNCATE ON "AuditSignature"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();
