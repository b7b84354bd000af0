-- AlterEnum
ALTER TYPE "ChangeRequestKind" ADD VALUE 'AUDIT_REDACTION';

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "digests" JSONB,
ADD COLUMN     "format" SMALLINT NOT NULL DEFAULT 1,
ADD COLUMN     "salts" JSONB;

-- CreateTable
CREATE TABLE "AuditRedaction" (
    "id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "pointer" TEXT NOT NULL,
    "changeRequestId" TEXT NOT NULL,
    "redactedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AuditRedaction_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditRedaction_changeRequestId_idx" ON "AuditRedaction"("changeRequestId");

-- CreateIndex
CREATE UNIQUE INDEX "AuditRedaction_seq_pointer_key" ON "AuditRedaction"("seq", "pointer");
