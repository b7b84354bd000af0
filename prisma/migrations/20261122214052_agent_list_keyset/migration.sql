-- A trigram index backs the agents list's search (contains, case-insensitive).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- DropIndex
DROP INDEX "Agent_createdAt_idx";

-- DropIndex
DROP INDEX "Agent_kind_name_idx";

-- DropIndex
DROP INDEX "Agent_nextReviewDue_idx";

-- DropIndex
DROP INDEX "Agent_ownerId_idx";

-- DropIndex
DROP INDEX "Agent_riskTier_name_idx";

-- DropIndex
DROP INDEX "Agent_status_name_idx";

-- AlterTable
-- "search" is generated (hand-edited): the schema language cannot say so.
ALTER TABLE "Agent" ADD COLUMN     "planesAssigned" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "search" TEXT GENERATED ALWAYS AS (lower("name" || ' ' || "slug" || ' ' || coalesce("workloadIdentity", ''))) STORED;

-- CreateIndex
CREATE INDEX "Agent_status_name_id_idx" ON "Agent"("status", "name", "id");

-- CreateIndex
CREATE INDEX "Agent_riskTier_name_id_idx" ON "Agent"("riskTier", "name", "id");

-- CreateIndex
CREATE INDEX "Agent_kind_name_id_idx" ON "Agent"("kind", "name", "id");

-- CreateIndex
CREATE INDEX "Agent_ownerId_name_id_idx" ON "Agent"("ownerId", "name", "id");

-- CreateIndex
CREATE INDEX "Agent_nextReviewDue_id_idx" ON "Agent"("nextReviewDue", "id");

-- CreateIndex
CREATE INDEX "Agent_createdAt_id_idx" ON "Agent"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Agent_planesAssigned_idx" ON "Agent"("planesAssigned");

-- CreateIndex
CREATE INDEX "Agent_search_trgm_idx" ON "Agent" USING GIN ("search" gin_trgm_ops);

-- Hand-written: "planesAssigned" follows ControlAssignment, whoever writes it.
UPDATE "Agent" a SET "planesAssigned" = (SELECT count(*) FROM "ControlAssignment" c WHERE c."agentId" = a."id");

CREATE FUNCTION "agent_planes_assigned"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "Agent" SET "planesAssigned" = (SELECT count(*) FROM "ControlAssignment" WHERE "agentId" = NEW."agentId") WHERE "id" = NEW."agentId";
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "Agent" SET "planesAssigned" = (SELECT count(*) FROM "ControlAssignment" WHERE "agentId" = OLD."agentId") WHERE "id" = OLD."agentId";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "ControlAssignment_planes_assigned"
  AFTER INSERT OR DELETE OR UPDATE OF "agentId" ON "ControlAssignment"
  FOR EACH ROW EXECUTE FUNCTION "agent_planes_assigned"();
