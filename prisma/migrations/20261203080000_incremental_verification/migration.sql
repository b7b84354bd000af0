-- AlterTable
ALTER TABLE "AuditVerification" ADD COLUMN     "fromSeq" BIGINT NOT NULL DEFAULT 1,
ADD COLUMN     "mode" TEXT NOT NULL DEFAULT 'full',
ADD COLUMN     "sampleFromSeq" BIGINT,
ADD COLUMN     "sampleToSeq" BIGINT,
ADD COLUMN     "statementVersion" SMALLINT NOT NULL DEFAULT 1;
