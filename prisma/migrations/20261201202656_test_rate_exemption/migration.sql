-- AlterTable
ALTER TABLE "ApiToken" ADD COLUMN     "rateLimitExempt" BOOLEAN NOT NULL DEFAULT false;
