-- CreateTable
CREATE TABLE "AgentTally" (
    "id" BIGSERIAL NOT NULL,
    "status" "AgentStatus" NOT NULL,
    "riskTier" "RiskTier" NOT NULL,
    "complete" BOOLEAN NOT NULL,
    "orphaned" BOOLEAN NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "AgentTally_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CredentialTally" (
    "id" BIGSERIAL NOT NULL,
    "storage" "CredentialStorage" NOT NULL,
    "issuance" "Issuance" NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "CredentialTally_pkey" PRIMARY KEY ("id")
);

-- Hand-written: the deltas follow "Agent" and "Credential", whoever writes them. Statement triggers read the rows a
-- statement changed (a COPY of 100,000 agents appends one row per key, not one per agent); PostgreSQL allows one
-- event per trigger with transition tables, so each table has three triggers on one function. An update that moves
-- no count (most do not) appends nothing.
CREATE FUNCTION "agent_tally"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "AgentTally" ("status", "riskTier", "complete", "orphaned", "n")
    SELECT "status", "riskTier", NOT "orphaned" AND "planesAssigned" = 3, "orphaned", count(*)
    FROM new_rows GROUP BY 1, 2, 3, 4;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "AgentTally" ("status", "riskTier", "complete", "orphaned", "n")
    SELECT "status", "riskTier", NOT "orphaned" AND "planesAssigned" = 3, "orphaned", -count(*)
    FROM old_rows GROUP BY 1, 2, 3, 4;
  ELSE
    INSERT INTO "AgentTally" ("status", "riskTier", "complete", "orphaned", "n")
    SELECT s, t, c, o, sum(d) FROM (
      SELECT "status" AS s, "riskTier" AS t, NOT "orphaned" AND "planesAssigned" = 3 AS c, "orphaned" AS o, 1 AS d
      FROM new_rows
      UNION ALL
      SELECT "status", "riskTier", NOT "orphaned" AND "planesAssigned" = 3, "orphaned", -1 FROM old_rows
    ) x GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Agent_tally_insert" AFTER INSERT ON "Agent"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "agent_tally"();
CREATE TRIGGER "Agent_tally_update" AFTER UPDATE ON "Agent"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "agent_tally"();
CREATE TRIGGER "Agent_tally_delete" AFTER DELETE ON "Agent"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "agent_tally"();

-- Live credentials only: revoking one moves it out of its key.
CREATE FUNCTION "credential_tally"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "CredentialTally" ("storage", "issuance", "n")
    SELECT "storage", "issuance", count(*) FROM new_rows WHERE "revokedAt" IS NULL GROUP BY 1, 2;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "CredentialTally" ("storage", "issuance", "n")
    SELECT "storage", "issuance", -count(*) FROM old_rows WHERE "revokedAt" IS NULL GROUP BY 1, 2;
  ELSE
    INSERT INTO "CredentialTally" ("storage", "issuance", "n")
    SELECT s, i, sum(d) FROM (
      SELECT "storage" AS s, "issuance" AS i, 1 AS d FROM new_rows WHERE "revokedAt" IS NULL
      UNION ALL
      SELECT "storage", "issuance", -1 FROM old_rows WHERE "revokedAt" IS NULL
    ) x GROUP BY 1, 2 HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Credential_tally_insert" AFTER INSERT ON "Credential"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "credential_tally"();
CREATE TRIGGER "Credential_tally_update" AFTER UPDATE ON "Credential"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "credential_tally"();
CREATE TRIGGER "Credential_tally_delete" AFTER DELETE ON "Credential"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "credential_tally"();

-- The counts so far (the triggers keep them from here).
INSERT INTO "AgentTally" ("status", "riskTier", "complete", "orphaned", "n")
SELECT "status", "riskTier", NOT "orphaned" AND "planesAssigned" = 3, "orphaned", count(*) FROM "Agent" GROUP BY 1, 2, 3, 4;
INSERT INTO "CredentialTally" ("storage", "issuance", "n")
SELECT "storage", "issuance", count(*) FROM "Credential" WHERE "revokedAt" IS NULL GROUP BY 1, 2;
