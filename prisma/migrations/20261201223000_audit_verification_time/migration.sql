-- Hand-written: a verification's time is the database's, whatever the inserting client sends, so the integrity
-- badge (the latest verification) cannot be dated into the future. The application role may not edit one either.
CREATE FUNCTION custodian_verification_time() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW."verifiedAt" := now();
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_verification_time
  BEFORE INSERT ON "AuditVerification"
  FOR EACH ROW EXECUTE FUNCTION custodian_verification_time();
