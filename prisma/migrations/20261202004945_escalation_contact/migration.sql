-- CreateTable
CREATE TABLE "EscalationContact" (
    "agentId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "userId" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "pagerUrl" TEXT,
    "coverage" TEXT NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "EscalationContact_pkey" PRIMARY KEY ("agentId")
);

-- CreateIndex
CREATE INDEX "EscalationContact_userId_idx" ON "EscalationContact"("userId");

-- AddForeignKey
ALTER TABLE "EscalationContact" ADD CONSTRAINT "EscalationContact_agentId_fkey" FOREIGN KEY ("agentId") REFERENCES "Agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "EscalationContact" ADD CONSTRAINT "EscalationContact_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
