-- AlterTable
ALTER TABLE "AuditVerification" ADD COLUMN     "keyId" TEXT,
ADD COLUMN     "signature" TEXT;
