-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "rotationApprovedDays" INTEGER;

-- A longer period applied through an approved change request is the approved one (a lead's direct edit before this
-- release left no such mark: that credential is held to the policy's period until approved again).
UPDATE "Credential" c SET "rotationApprovedDays" = c."rotationPeriodDays"
WHERE c."rotationPeriodDays" IS NOT NULL AND EXISTS (
  SELECT 1 FROM "ChangeRequest" r
  WHERE r."kind" = 'CREDENTIAL_LOOSENING' AND r."status" = 'APPLIED' AND r."credentialId" = c."id"
    AND r."to" ->> 'rotationPeriodDays' = c."rotationPeriodDays"::text
);
