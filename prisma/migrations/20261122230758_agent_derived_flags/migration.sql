-- AlterTable
ALTER TABLE "Agent" ADD COLUMN     "openReviewDueAt" TIMESTAMPTZ(3),
ADD COLUMN     "orphaned" BOOLEAN NOT NULL DEFAULT true;

-- CreateIndex
CREATE INDEX "Agent_orphaned_name_id_idx" ON "Agent"("orphaned", "name", "id");

-- CreateIndex
CREATE INDEX "Agent_openReviewDueAt_idx" ON "Agent"("openReviewDueAt");

-- Hand-written: the flags follow their sources, whoever writes them.
CREATE FUNCTION "agent_is_orphaned"(agent_id text, owner_id text) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT owner_id IS NULL
      OR NOT coalesce((SELECT u."active" FROM "User" u WHERE u."id" = owner_id), false)
      OR EXISTS (SELECT 1 FROM "ControlAssignment" ca JOIN "User" u ON u."id" = ca."userId" WHERE ca."agentId" = agent_id AND NOT u."active")
$$;

UPDATE "Agent" a SET
  "orphaned" = "agent_is_orphaned"(a."id", a."ownerId"),
  "openReviewDueAt" = (SELECT min(r."dueAt") FROM "Review" r WHERE r."agentId" = a."id" AND r."completedAt" IS NULL);

CREATE FUNCTION "agent_set_orphaned"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."orphaned" := "agent_is_orphaned"(NEW."id", NEW."ownerId");
  RETURN NEW;
END $$;

CREATE TRIGGER "Agent_orphaned"
  BEFORE INSERT OR UPDATE OF "ownerId" ON "Agent"
  FOR EACH ROW EXECUTE FUNCTION "agent_set_orphaned"();

CREATE FUNCTION "assignment_orphaned"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "Agent" a SET "orphaned" = "agent_is_orphaned"(a."id", a."ownerId") WHERE a."id" = NEW."agentId";
  END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN
    UPDATE "Agent" a SET "orphaned" = "agent_is_orphaned"(a."id", a."ownerId") WHERE a."id" = OLD."agentId";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "ControlAssignment_orphaned"
  AFTER INSERT OR DELETE OR UPDATE OF "agentId", "userId" ON "ControlAssignment"
  FOR EACH ROW EXECUTE FUNCTION "assignment_orphaned"();

CREATE FUNCTION "user_orphaned"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Agent" a SET "orphaned" = "agent_is_orphaned"(a."id", a."ownerId")
  WHERE a."ownerId" = NEW."id" OR a."id" IN (SELECT ca."agentId" FROM "ControlAssignment" ca WHERE ca."userId" = NEW."id");
  RETURN NULL;
END $$;

CREATE TRIGGER "User_orphaned"
  AFTER UPDATE OF "active" ON "User"
  FOR EACH ROW WHEN (OLD."active" IS DISTINCT FROM NEW."active") EXECUTE FUNCTION "user_orphaned"();

CREATE FUNCTION "review_open_due"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    UPDATE "Agent" SET "openReviewDueAt" = (SELECT min(r."dueAt") FROM "Review" r WHERE r."agentId" = NEW."agentId" AND r."completedAt" IS NULL) WHERE "id" = NEW."agentId";
  END IF;
  IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD."agentId" <> NEW."agentId") THEN
    UPDATE "Agent" SET "openReviewDueAt" = (SELECT min(r."dueAt") FROM "Review" r WHERE r."agentId" = OLD."agentId" AND r."completedAt" IS NULL) WHERE "id" = OLD."agentId";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "Review_open_due"
  AFTER INSERT OR DELETE OR UPDATE OF "agentId", "dueAt", "completedAt" ON "Review"
  FOR EACH ROW EXECUTE FUNCTION "review_open_due"();
