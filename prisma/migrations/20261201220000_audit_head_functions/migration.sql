-- Hand-written: the application role owns nothing and may only SELECT and INSERT the audit tables, so the chain head
-- is locked and moved through two functions that run as their owner (SECURITY DEFINER), each checking what it may do.

-- Locks the head row for the calling transaction (released at commit) and returns it: appends serialise on it.
CREATE FUNCTION custodian_lock_head() RETURNS TABLE ("seq" BIGINT, "hash" CHAR(64))
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT h."seq", h."hash" FROM "AuditChainHead" h WHERE h."id" = 1 FOR UPDATE;
$$;

-- Moves the head forward to an event that exists with exactly that hash; anything else is refused.
CREATE FUNCTION custodian_advance_head(new_seq BIGINT, new_hash CHAR(64)) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."seq" = new_seq AND e."hash" = new_hash) THEN
    RAISE EXCEPTION 'custodian: the chain head can only move to an appended event'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- The forward-only trigger refuses a head that does not move forward.
  UPDATE "AuditChainHead" SET "seq" = new_seq, "hash" = new_hash WHERE "id" = 1;
END;
$$;

REVOKE ALL ON FUNCTION custodian_lock_head() FROM PUBLIC;
REVOKE ALL ON FUNCTION custodian_advance_head(BIGINT, CHAR) FROM PUBLIC;

-- A seq is 1 or more: a row at 0 or below would sit before the chain's first event, where no walk looks for it.
-- (A trigger, not a CHECK constraint: Prisma's schema describer cannot read this one.)
CREATE FUNCTION custodian_positive_seq() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."seq" <= 0 THEN
    RAISE EXCEPTION 'custodian: an audit event''s seq is 1 or more' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_event_positive_seq
  BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_positive_seq();
