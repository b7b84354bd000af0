-- CreateEnum
CREATE TYPE "DelegationStatus" AS ENUM ('PENDING', 'APPROVED', 'REVOKED', 'EXPIRED');

-- AlterEnum
ALTER TYPE "ReviewTrigger" ADD VALUE 'DELEGATION_CHANGED';

-- CreateTable
CREATE TABLE "DelegationGrant" (
    "id" TEXT NOT NULL,
    "delegateId" TEXT NOT NULL,
    "principalId" TEXT NOT NULL,
    "tasks" TEXT[],
    "environments" "Environment"[],
    "justification" TEXT NOT NULL,
    "days" INTEGER NOT NULL,
    "status" "DelegationStatus" NOT NULL DEFAULT 'PENDING',
    "requestedById" TEXT NOT NULL,
    "approvedById" TEXT,
    "approvedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3),
    "revokedById" TEXT,
    "revokedAt" TIMESTAMPTZ(3),
    "revokeReason" TEXT,
    "endedAt" TIMESTAMPTZ(3),
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "DelegationGrant_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "DelegationGrant_delegateId_principalId_status_idx" ON "DelegationGrant"("delegateId", "principalId", "status");

-- CreateIndex
CREATE INDEX "DelegationGrant_principalId_status_idx" ON "DelegationGrant"("principalId", "status");

-- CreateIndex
CREATE INDEX "DelegationGrant_status_expiresAt_idx" ON "DelegationGrant"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "DelegationGrant_approvedById_idx" ON "DelegationGrant"("approvedById");

-- AddForeignKey
ALTER TABLE "DelegationGrant" ADD CONSTRAINT "DelegationGrant_delegateId_fkey" FOREIGN KEY ("delegateId") REFERENCES "Agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DelegationGrant" ADD CONSTRAINT "DelegationGrant_principalId_fkey" FOREIGN KEY ("principalId") REFERENCES "Agent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DelegationGrant" ADD CONSTRAINT "DelegationGrant_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DelegationGrant" ADD CONSTRAINT "DelegationGrant_approvedById_fkey" FOREIGN KEY ("approvedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DelegationGrant" ADD CONSTRAINT "DelegationGrant_revokedById_fkey" FOREIGN KEY ("revokedById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

