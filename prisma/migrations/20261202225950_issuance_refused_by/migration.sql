-- AlterTable
ALTER TABLE "IssuanceDecision" ADD COLUMN     "refusedBy" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- CreateIndex
CREATE INDEX "IssuanceDecision_allowed_decidedAt_idx" ON "IssuanceDecision"("allowed", "decidedAt");
