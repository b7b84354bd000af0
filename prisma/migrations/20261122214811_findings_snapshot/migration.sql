-- DropIndex
DROP INDEX "FindingState_ruleId_idx";

-- AlterTable
ALTER TABLE "FindingDaily" ADD COLUMN     "syncedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- AlterTable
ALTER TABLE "FindingState" ADD COLUMN     "agentName" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "detail" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "severityRank" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "FindingState_severityRank_agentName_key_idx" ON "FindingState"("severityRank", "agentName", "key");

-- CreateIndex
CREATE INDEX "FindingState_ruleId_agentName_key_idx" ON "FindingState"("ruleId", "agentName", "key");

-- CreateIndex
CREATE INDEX "FindingState_agentId_idx" ON "FindingState"("agentId");
