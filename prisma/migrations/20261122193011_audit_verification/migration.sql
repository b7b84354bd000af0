-- CreateTable
CREATE TABLE "AuditVerification" (
    "id" TEXT NOT NULL,
    "verifiedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ok" BOOLEAN NOT NULL,
    "throughSeq" BIGINT NOT NULL,
    "headHash" CHAR(64),
    "brokenSeq" BIGINT,
    "reason" TEXT,
    "eventCount" INTEGER NOT NULL,
    "checkpointsVerified" INTEGER NOT NULL DEFAULT 0,
    "durationMs" INTEGER NOT NULL,
    "actorId" TEXT,

    CONSTRAINT "AuditVerification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AuditVerification_verifiedAt_idx" ON "AuditVerification"("verifiedAt");
