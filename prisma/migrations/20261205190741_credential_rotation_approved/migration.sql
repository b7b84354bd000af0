-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "rotationApprovedDays" INTEGER;

-- A period longer than the policy's applied through an approved change request is the approved one (a lead's direct
-- edit before this release left no such mark: that credential is held to the policy's period until approved again).
UPDATE "Credential" c SET "rotationApprovedDays" = c."rotationPeriodDays"
WHERE c."rotationPeriodDays" > coalesce(
    (SELECT CASE WHEN jsonb_typeof(s."value") = 'number' THEN (s."value" #>> '{}')::numeric::int END
     FROM "Setting" s WHERE s."key" = 'credentialRotationDays'), 90)
  AND EXISTS (
  SELECT 1 FROM "ChangeRequest" r
  WHERE r."kind" = 'CREDENTIAL_LOOSENING' AND r."status" = 'APPLIED' AND r."credentialId" = c."id"
    AND r."to" ->> 'rotationPeriodDays' = c."rotationPeriodDays"::text
);
