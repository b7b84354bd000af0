-- ANALYZE of an audit partition spent most of its time on columns no query's plan needs statistics of: the JSON
-- (details, owners, digests, salts: read through expressions, never compared whole) and the hashes (each distinct,
-- sorted by collation: 64 characters a row). On the newest partition, which autovacuum analyzes again at every 10%
-- of growth, that was 1.2 s of CPU per 26,000 rows, taken from the requests beside it; without them, 0.3 s.
-- SET STATISTICS is per table and a new partition does not take the parent's, so every partition gets it where it
-- is guarded: when created ahead, and when restored.
CREATE OR REPLACE FUNCTION custodian_audit_guard_partition(part REGCLASS) RETURNS void
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  EXECUTE format(
    'CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON %s '
    'FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change()', part);
  EXECUTE format(
    'ALTER TABLE %s ALTER COLUMN "details" SET STATISTICS 0, ALTER COLUMN "owners" SET STATISTICS 0, '
    'ALTER COLUMN "digests" SET STATISTICS 0, ALTER COLUMN "salts" SET STATISTICS 0, '
    'ALTER COLUMN "hash" SET STATISTICS 0, ALTER COLUMN "prevHash" SET STATISTICS 0', part);
END;
$$;

REVOKE ALL ON FUNCTION custodian_audit_guard_partition(REGCLASS) FROM PUBLIC;

-- The parent and every partition there is now (ALTER on the parent reaches them all).
ALTER TABLE "AuditEvent" ALTER COLUMN "details" SET STATISTICS 0, ALTER COLUMN "owners" SET STATISTICS 0,
  ALTER COLUMN "digests" SET STATISTICS 0, ALTER COLUMN "salts" SET STATISTICS 0,
  ALTER COLUMN "hash" SET STATISTICS 0, ALTER COLUMN "prevHash" SET STATISTICS 0;
