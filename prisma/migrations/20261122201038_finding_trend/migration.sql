-- CreateTable
CREATE TABLE "FindingState" (
    "key" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "agentId" TEXT NOT NULL,
    "credentialId" TEXT,
    "openedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "FindingState_pkey" PRIMARY KEY ("key")
);

-- CreateTable
CREATE TABLE "FindingDaily" (
    "day" DATE NOT NULL,
    "ruleId" TEXT NOT NULL,
    "opened" INTEGER NOT NULL DEFAULT 0,
    "closed" INTEGER NOT NULL DEFAULT 0,
    "open" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "FindingDaily_pkey" PRIMARY KEY ("day","ruleId")
);

-- CreateIndex
CREATE INDEX "FindingState_ruleId_idx" ON "FindingState"("ruleId");
