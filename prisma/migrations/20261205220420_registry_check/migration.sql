-- CreateTable
CREATE TABLE "RegistryCheck" (
    "id" TEXT NOT NULL,
    "checkedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "driftCount" INTEGER NOT NULL,
    "unrecorded" INTEGER NOT NULL,
    "rows" JSONB NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "keyId" TEXT,
    "signature" TEXT,

    CONSTRAINT "RegistryCheck_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RegistryCheck_checkedAt_idx" ON "RegistryCheck"("checkedAt");

-- Hand-written: a check's time is the database's, whatever the inserting client sends, so the System page's latest
-- result cannot be dated into the future. The application role may not edit one either (lib/db/roles.ts).
CREATE FUNCTION custodian_registry_check_time() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW."checkedAt" := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER registry_check_time
  BEFORE INSERT ON "RegistryCheck"
  FOR EACH ROW EXECUTE FUNCTION custodian_registry_check_time();
