-- AlterEnum
ALTER TYPE "ExceptionStatus" ADD VALUE 'LAPSED';

-- AlterTable
ALTER TABLE "Exception" ADD COLUMN     "windowMinutes" INTEGER;
