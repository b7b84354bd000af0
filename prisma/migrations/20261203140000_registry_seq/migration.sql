-- Hand-written: the seq of the last append that changed the registry (what the dashboard counts), beside the head.
-- The issuance gate records decisions hundreds of times a second and ingest records uses: keyed on the head, the
-- dashboard's figures would be recomputed at every view. Appends that only record (decisions, uses, exports,
-- checkpoints) move the head through custodian_advance_head_records(), which leaves "registrySeq" where it is.
ALTER TABLE "AuditChainHead" ADD COLUMN "registrySeq" BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION custodian_advance_head(new_seq BIGINT, new_hash CHAR(64)) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."seq" = new_seq AND e."hash" = new_hash) THEN
    RAISE EXCEPTION 'custodian: the chain head can only move to an appended event'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- The forward-only trigger refuses a head that does not move forward.
  UPDATE "AuditChainHead" SET "seq" = new_seq, "hash" = new_hash, "registrySeq" = new_seq WHERE "id" = 1;
END;
$$;

CREATE FUNCTION custodian_advance_head_records(new_seq BIGINT, new_hash CHAR(64)) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."seq" = new_seq AND e."hash" = new_hash) THEN
    RAISE EXCEPTION 'custodian: the chain head can only move to an appended event'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  UPDATE "AuditChainHead" SET "seq" = new_seq, "hash" = new_hash WHERE "id" = 1;
END;
$$;

REVOKE ALL ON FUNCTION custodian_advance_head_records(BIGINT, CHAR) FROM PUBLIC;
