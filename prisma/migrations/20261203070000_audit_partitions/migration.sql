-- Hand-written: the custody timeline is partitioned by seq range (PostgreSQL's declarative partitioning), so years of
-- events stay one table to query while old ranges can be archived (exported with a signed manifest, detached,
-- dropped) and restored. A unique index on a partitioned table must include the partition key, so the unique index on
-- "hash" goes: a hash is unique because it covers its seq and the hash before it, which verification checks.

-- 1. The events so far move to a partitioned table of the same shape.
ALTER TABLE "AuditEvent" RENAME TO "AuditEvent_unpartitioned";
ALTER TABLE "AuditEvent_unpartitioned" DROP CONSTRAINT "AuditEvent_pkey";
DROP INDEX "AuditEvent_hash_key";
DROP INDEX "AuditEvent_agentId_seq_idx";
DROP INDEX "AuditEvent_credentialId_seq_idx";
DROP INDEX "AuditEvent_actorId_seq_idx";
DROP INDEX "AuditEvent_action_seq_idx";
DROP INDEX "AuditEvent_occurredAt_idx";

CREATE TABLE "AuditEvent" (
    "seq" BIGINT NOT NULL,
    "occurredAt" TIMESTAMPTZ(3) NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL,
    "actorType" "ActorType" NOT NULL,
    "actorId" TEXT,
    "agentId" TEXT,
    "credentialId" TEXT,
    "action" TEXT NOT NULL,
    "details" JSONB NOT NULL,
    "owners" JSONB,
    "prevHash" CHAR(64) NOT NULL,
    "hash" CHAR(64) NOT NULL,
    "digests" JSONB,
    "format" SMALLINT NOT NULL DEFAULT 1,
    "salts" JSONB,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("seq")
) PARTITION BY RANGE ("seq");

CREATE INDEX "AuditEvent_agentId_seq_idx" ON "AuditEvent"("agentId", "seq");
CREATE INDEX "AuditEvent_credentialId_seq_idx" ON "AuditEvent"("credentialId", "seq");
CREATE INDEX "AuditEvent_actorId_seq_idx" ON "AuditEvent"("actorId", "seq");
CREATE INDEX "AuditEvent_action_seq_idx" ON "AuditEvent"("action", "seq");
CREATE INDEX "AuditEvent_occurredAt_idx" ON "AuditEvent"("occurredAt");

-- 2. TRUNCATE of one partition does not fire the parent's statement trigger: every partition carries its own.
CREATE FUNCTION custodian_audit_guard_partition(part REGCLASS) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  EXECUTE format(
    'CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON %s '
    'FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change()', part);
END;
$$;

-- 3. Partitions ahead of the chain: after the last one, each `width` seqs wide (default: the last one's width, or
-- ten million), until the last ends at least two widths beyond the head (or beyond `through_seq`, for a bulk load).
-- Run by db:migrate and `npm run db:partitions` as the owner; the application role may not (it owns nothing).
-- At most `max_new` at a time when given. Returns how many it created.
CREATE FUNCTION custodian_audit_partitions_ahead(
  width BIGINT DEFAULT NULL, through_seq BIGINT DEFAULT NULL, max_new INTEGER DEFAULT NULL)
RETURNS INTEGER
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  last_upper BIGINT;
  last_width BIGINT;
  target BIGINT;
  created INTEGER := 0;
  name TEXT;
BEGIN
  SELECT max(b.upper), (array_agg(b.upper - b.lower ORDER BY b.upper DESC))[1] INTO last_upper, last_width
  FROM (
    SELECT (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''?(\d+)''?\) TO \(''?(\d+)''?\)'))[1]::BIGINT
             AS lower,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''?(\d+)''?\) TO \(''?(\d+)''?\)'))[2]::BIGINT
             AS upper
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = '"AuditEvent"'::regclass
  ) b;
  width := coalesce(width, last_width, 10000000);
  IF width < 1 THEN
    RAISE EXCEPTION 'custodian: a partition is at least one seq wide' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  last_upper := coalesce(last_upper, 1);
  target := greatest((SELECT h."seq" FROM "AuditChainHead" h WHERE h."id" = 1), coalesce(through_seq, 0)) + 2 * width;
  WHILE last_upper <= target AND (max_new IS NULL OR created < max_new) LOOP
    name := format('AuditEvent_%s', lpad(last_upper::TEXT, 19, '0'));
    EXECUTE format('CREATE TABLE %I PARTITION OF "AuditEvent" FOR VALUES FROM (%s) TO (%s)',
      name, last_upper, last_upper + width);
    PERFORM custodian_audit_guard_partition(format('%I', name)::REGCLASS);
    last_upper := last_upper + width;
    created := created + 1;
  END LOOP;
  RETURN created;
END;
$$;

REVOKE ALL ON FUNCTION custodian_audit_guard_partition(REGCLASS) FROM PUBLIC;
REVOKE ALL ON FUNCTION custodian_audit_partitions_ahead(BIGINT, BIGINT, INTEGER) FROM PUBLIC;

-- The application's hourly job keeps partitions ahead so appends never run out of room between the owner's runs. It
-- runs as the owner (the partitions are the owner's) and takes no argument: the application chooses nothing, and
-- a call makes two partitions at most (a head pushed far ahead cannot make it fill the catalogue).
CREATE FUNCTION custodian_audit_keep_partitions_ahead() RETURNS INTEGER
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT custodian_audit_partitions_ahead(NULL, NULL, 2);
$$;

REVOKE ALL ON FUNCTION custodian_audit_keep_partitions_ahead() FROM PUBLIC;

SELECT custodian_audit_partitions_ahead(NULL, (SELECT max("seq") FROM "AuditEvent_unpartitioned"), NULL);

INSERT INTO "AuditEvent"
  ("seq", "occurredAt", "recordedAt", "actorType", "actorId", "agentId", "credentialId", "action", "details",
   "owners", "prevHash", "hash", "digests", "format", "salts")
SELECT "seq", "occurredAt", "recordedAt", "actorType", "actorId", "agentId", "credentialId", "action", "details",
   "owners", "prevHash", "hash", "digests", "format", "salts"
FROM "AuditEvent_unpartitioned" ORDER BY "seq";

-- The old table's triggers go with it; DROP is not a row change (only the owner may).
DROP TABLE "AuditEvent_unpartitioned";

-- 4. The same guards as before, on the partitioned table: PostgreSQL clones row triggers onto every partition,
-- present and future (the TRUNCATE trigger on each partition is step 2's).
CREATE TRIGGER audit_event_no_delete
  BEFORE DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_event_redaction_only
  BEFORE UPDATE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_audit_event_redaction_only();

CREATE TRIGGER audit_event_no_truncate
  BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_event_positive_seq
  BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_positive_seq();

CREATE TRIGGER audit_event_known_format
  BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_known_format();

-- 5. The signed manifests of archived ranges: written by the owner's archive command, never changed.
CREATE TABLE "AuditArchive" (
    "id" TEXT NOT NULL,
    "partition" TEXT NOT NULL,
    "fromSeq" BIGINT NOT NULL,
    "toSeq" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,
    "headIn" CHAR(64) NOT NULL,
    "headOut" CHAR(64) NOT NULL,
    "fileSha256" CHAR(64) NOT NULL,
    "eventSeq" BIGINT NOT NULL,
    "carried" TEXT NOT NULL,
    "archivedAt" TIMESTAMPTZ(3) NOT NULL,
    "keyId" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "AuditArchive_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "AuditArchive_fromSeq_idx" ON "AuditArchive"("fromSeq");

CREATE TRIGGER audit_archive_no_update_delete
  BEFORE UPDATE OR DELETE ON "AuditArchive"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_archive_no_truncate
  BEFORE TRUNCATE ON "AuditArchive"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();
