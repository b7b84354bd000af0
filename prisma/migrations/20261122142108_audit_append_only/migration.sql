-- Hand-written: what schema.prisma cannot express.
-- 1. The custody timeline and its checkpoints are append-only: UPDATE, DELETE
--    and TRUNCATE are refused by triggers for every role, owner included.
-- 2. The chain head starts at seq 0 with the genesis hash, and only moves forward.

CREATE FUNCTION custodian_refuse_audit_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'custodian: "%" is append-only; % is refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER audit_event_no_update_delete
  BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_event_no_truncate
  BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_checkpoint_no_update_delete
  BEFORE UPDATE OR DELETE ON "AuditCheckpoint"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_checkpoint_no_truncate
  BEFORE TRUNCATE ON "AuditCheckpoint"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE FUNCTION custodian_chain_head_forward_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'UPDATE' OR NEW.id <> OLD.id OR NEW.seq <= OLD.seq THEN
    RAISE EXCEPTION 'custodian: the audit chain head only moves forward; % is refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

INSERT INTO "AuditChainHead" ("id", "seq", "hash")
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER audit_chain_head_forward_only
  BEFORE UPDATE OR DELETE ON "AuditChainHead"
  FOR EACH ROW EXECUTE FUNCTION custodian_chain_head_forward_only();

CREATE TRIGGER audit_chain_head_no_truncate
  BEFORE TRUNCATE ON "AuditChainHead"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();
