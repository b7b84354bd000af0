-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "usedAfterRevocationAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "Credential_usedAfterRevocationAt_idx" ON "Credential"("usedAfterRevocationAt");
