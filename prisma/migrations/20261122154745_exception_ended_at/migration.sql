-- AlterTable
ALTER TABLE "Exception" ADD COLUMN     "endedAt" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "Exception_type_endedAt_idx" ON "Exception"("type", "endedAt");
