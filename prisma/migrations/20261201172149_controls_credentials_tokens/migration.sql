-- CreateEnum
CREATE TYPE "TokenAgentScope" AS ENUM ('ALL', 'LIST', 'WORKLOAD_PREFIX');

-- AlterEnum
ALTER TYPE "ChangeRequestKind" ADD VALUE 'CREDENTIAL_LOOSENING';

-- AlterEnum
ALTER TYPE "ReviewTrigger" ADD VALUE 'CREDENTIAL_LOOSENED';

-- DropForeignKey
ALTER TABLE "Exception" DROP CONSTRAINT "Exception_credentialId_fkey";

-- DropIndex
DROP INDEX "Exception_credentialId_idx";

-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "agentIds" TEXT[] DEFAULT ARRAY[]::TEXT[],
ADD COLUMN     "agentScope" "TokenAgentScope" NOT NULL DEFAULT 'ALL',
ADD COLUMN     "workloadPrefix" TEXT;

-- AlterTable
ALTER TABLE "ChangeRequest" ADD COLUMN     "credentialId" TEXT;


-- CreateTable
CREATE TABLE "ExceptionCredential" (
    "exceptionId" TEXT NOT NULL,
    "credentialId" TEXT NOT NULL,

    CONSTRAINT "ExceptionCredential_pkey" PRIMARY KEY ("exceptionId","credentialId")
);

-- CreateIndex
CREATE INDEX "ExceptionCredential_credentialId_idx" ON "ExceptionCredential"("credentialId");

-- AddForeignKey
ALTER TABLE "ExceptionCredential" ADD CONSTRAINT "ExceptionCredential_exceptionId_fkey" FOREIGN KEY ("exceptionId") REFERENCES "Exception"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ExceptionCredential" ADD CONSTRAINT "ExceptionCredential_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "Credential"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The one credential an exception named becomes its first covered credential.
INSERT INTO "ExceptionCredential" ("exceptionId", "credentialId")
SELECT "id", "credentialId" FROM "Exception" WHERE "credentialId" IS NOT NULL;

-- AlterTable
ALTER TABLE "Exception" DROP COLUMN "credentialId",
ADD COLUMN     "noCredentialReason" TEXT;

-- AddForeignKey
ALTER TABLE "ChangeRequest" ADD CONSTRAINT "ChangeRequest_credentialId_fkey" FOREIGN KEY ("credentialId") REFERENCES "Credential"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
