-- Hand-written: redaction keeps the chain (format 2 hashes salted field digests, not values), and it goes through one
-- function that runs as its owner (SECURITY DEFINER) and checks, when it runs, that the request was approved.

-- An event may change in one way only: the redaction function replaces a field's value by a tombstone and destroys
-- its salt. Every hashed column stays as it was; anything else is refused, as before.
CREATE FUNCTION custodian_audit_event_redaction_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('custodian.redacting', true) = 'on'
     AND (NEW."seq", NEW."occurredAt", NEW."recordedAt", NEW."actorType", NEW."actorId", NEW."agentId",
          NEW."credentialId", NEW."action", NEW."owners", NEW."prevHash", NEW."hash", NEW."format", NEW."digests")
       IS NOT DISTINCT FROM
         (OLD."seq", OLD."occurredAt", OLD."recordedAt", OLD."actorType", OLD."actorId", OLD."agentId",
          OLD."credentialId", OLD."action", OLD."owners", OLD."prevHash", OLD."hash", OLD."format", OLD."digests")
  THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'custodian: "AuditEvent" is append-only; UPDATE is refused'
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

DROP TRIGGER audit_event_no_update_delete ON "AuditEvent";

CREATE TRIGGER audit_event_no_delete
  BEFORE DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_event_redaction_only
  BEFORE UPDATE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_audit_event_redaction_only();

CREATE TRIGGER audit_redaction_no_update_delete
  BEFORE UPDATE OR DELETE ON "AuditRedaction"
  FOR EACH ROW EXECUTE FUNCTION custodian_refuse_audit_change();

CREATE TRIGGER audit_redaction_no_truncate
  BEFORE TRUNCATE ON "AuditRedaction"
  FOR EACH STATEMENT EXECUTE FUNCTION custodian_refuse_audit_change();

-- A change request is a record once made: what it asks for and who asked never change, and once decided, neither does
-- the decision. (The redaction function reads these rows; the application role may update the table otherwise.)
CREATE FUNCTION custodian_change_request_settled() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW."kind", NEW."agentId", NEW."credentialId", NEW."targetUserId", NEW."settingKey", NEW."from", NEW."to",
      NEW."reason", NEW."requestedById", NEW."createdAt")
     IS DISTINCT FROM
     (OLD."kind", OLD."agentId", OLD."credentialId", OLD."targetUserId", OLD."settingKey", OLD."from", OLD."to",
      OLD."reason", OLD."requestedById", OLD."createdAt")
     OR (OLD."status"::text <> 'PENDING'
         AND (NEW."status", NEW."decidedById", NEW."decidedAt", NEW."decisionReason")
             IS DISTINCT FROM (OLD."status", OLD."decidedById", OLD."decidedAt", OLD."decisionReason")) THEN
    RAISE EXCEPTION 'custodian: a change request''s ask, and once made its decision, never change'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER change_request_settled
  BEFORE UPDATE ON "ChangeRequest"
  FOR EACH ROW EXECUTE FUNCTION custodian_change_request_settled();

-- A request is born waiting, and is never deleted: a decision is made on it, not written with it.
CREATE FUNCTION custodian_change_request_born_pending() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW."status"::text <> 'PENDING' OR NEW."decidedById" IS NOT NULL
     OR NEW."decidedAt" IS NOT NULL THEN
    RAISE EXCEPTION 'custodian: a change request is made waiting and never deleted; % is refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER change_request_born_pending
  BEFORE INSERT OR DELETE ON "ChangeRequest"
  FOR EACH ROW EXECUTE FUNCTION custodian_change_request_born_pending();

-- Applies an approved redaction request: each field it names (change request "to": {"fields": [{"seq", "pointer"}]})
-- becomes {"$redacted": <redaction id>}. Every input is read now, from the rows and from the timeline itself:
-- * the request is an AUDIT_REDACTION, APPLIED, not applied before;
-- * the timeline (up to its head) holds its `change.requested` by the requester, naming exactly these fields, and
--   after it its `change.applied` by the decider, who is someone else;
-- * the requester is an active security lead and the decider an active auditor, whose auditor role (or account) the
--   requester did not grant (or reactivate), and was not granted (or reactivated) after the request;
-- * no redacted event is by either person (or a token either created), names either anywhere in its details or its
--   owners snapshot, or is about an agent either owns or controls now;
-- * each field is free text (lib/redactions/rules.ts: the same list) of a format-2 event, and not in the record of a
--   redaction, a role change or a redaction request.
CREATE FUNCTION custodian_redact(request_id TEXT) RETURNS SETOF "AuditRedaction"
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  cr RECORD;
  ev RECORD;
  target JSONB;
  head_seq BIGINT;
  requested_seq BIGINT;
  applied_seq BIGINT;
  t_seq BIGINT;
  t_pointer TEXT;
  t_path TEXT[];
  t_key TEXT;
  t_len INT;
  people JSONB;
  rid TEXT;
BEGIN
  SELECT * INTO cr FROM "ChangeRequest" WHERE "id" = request_id FOR UPDATE;
  IF NOT FOUND OR cr."kind"::text <> 'AUDIT_REDACTION' THEN
    RAISE EXCEPTION 'custodian: % is not a redaction request', request_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF cr."status"::text <> 'APPLIED' OR cr."decidedById" IS NULL OR cr."decidedById" = cr."requestedById" THEN
    RAISE EXCEPTION 'custodian: redaction request % is not approved by a second person', request_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (SELECT 1 FROM "AuditRedaction" r WHERE r."changeRequestId" = cr."id") THEN
    RAISE EXCEPTION 'custodian: redaction request % was already applied', request_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;

  SELECT h."seq" INTO head_seq FROM "AuditChainHead" h WHERE h."id" = 1;
  SELECT min(e."seq") INTO requested_seq FROM "AuditEvent" e
    WHERE e."action" = 'change.requested' AND e."seq" <= head_seq AND e."actorId" = cr."requestedById"
      AND e."details"->>'changeRequestId' = cr."id" AND e."details"->>'kind' = 'AUDIT_REDACTION'
      AND e."details"->'to' = cr."to";
  SELECT min(e."seq") INTO applied_seq FROM "AuditEvent" e
    WHERE e."action" = 'change.applied' AND e."seq" <= head_seq AND e."seq" > requested_seq
      AND e."actorId" = cr."decidedById" AND e."details"->>'changeRequestId' = cr."id"
      AND e."details"->>'kind' = 'AUDIT_REDACTION';
  IF requested_seq IS NULL OR applied_seq IS NULL THEN
    RAISE EXCEPTION 'custodian: redaction request % and its approval are not on the timeline', request_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;

  IF NOT EXISTS (SELECT 1 FROM "User" u WHERE u."id" = cr."requestedById" AND u."active"
                   AND 'ADMIN' = ANY (u."roles")) THEN
    RAISE EXCEPTION 'custodian: redaction request % was not asked by an active security lead', request_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM "User" u WHERE u."id" = cr."decidedById" AND u."active"
                   AND 'AUDITOR' = ANY (u."roles")) THEN
    RAISE EXCEPTION 'custodian: redaction request % was not approved by an active auditor', request_id
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF EXISTS (SELECT 1 FROM "AuditEvent" e
               WHERE ((e."action" = 'role.granted' AND e."details"->>'role' = 'AUDITOR')
                      OR e."action" = 'user.reactivated')
                 AND e."details"->>'userId' = cr."decidedById"
                 AND (e."actorId" = cr."requestedById" OR e."seq" > requested_seq)) THEN
    RAISE EXCEPTION
      'custodian: the auditor who approved redaction request % was made one by its requester, or after it',
      request_id USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF jsonb_typeof(cr."to"->'fields') IS DISTINCT FROM 'array' OR jsonb_array_length(cr."to"->'fields') = 0 THEN
    RAISE EXCEPTION 'custodian: redaction request % names no field', request_id USING ERRCODE = 'data_exception';
  END IF;

  FOR target IN SELECT value FROM jsonb_array_elements(cr."to"->'fields') LOOP
    t_seq := (target->>'seq')::BIGINT;
    t_pointer := target->>'pointer';
    SELECT e."seq", e."format", e."action", e."actorType"::text AS "actorType", e."actorId", e."agentId", e."details",
        e."owners", e."digests", e."salts" INTO ev
      FROM "AuditEvent" e WHERE e."seq" = t_seq AND e."seq" <= head_seq FOR UPDATE;
    IF NOT FOUND OR ev."format" <> 2 THEN
      RAISE EXCEPTION 'custodian: event % cannot be redacted (it does not exist or predates chain format 2)', t_seq
        USING ERRCODE = 'data_exception';
    END IF;
    IF t_pointer IS NULL OR left(t_pointer, 1) <> '/' OR NOT coalesce(ev."digests" ? t_pointer, false)
       OR NOT coalesce(ev."salts" ? t_pointer, false) THEN
      RAISE EXCEPTION 'custodian: % is not a field of event % that can be redacted', t_pointer, t_seq
        USING ERRCODE = 'data_exception';
    END IF;
    SELECT array_agg(replace(replace(tok, '~1', '/'), '~0', '~') ORDER BY ord) INTO t_path
      FROM unnest(string_to_array(substr(t_pointer, 2), '/')) WITH ORDINALITY AS x(tok, ord);
    -- The field's name: its last key, or in a "changes" map ({"changes": {"description": {"from", "to"}}}) the field
    -- changed.
    t_len := array_length(t_path, 1);
    t_key := t_path[t_len];
    IF t_key IN ('from', 'to') AND t_len >= 3 AND t_path[t_len - 2] = 'changes' THEN
      t_key := t_path[t_len - 1];
    END IF;
    IF ev."action" = 'audit.redacted' OR ev."action" LIKE 'role.%'
       OR (ev."action" LIKE 'change.%' AND ev."details"->>'kind' = 'AUDIT_REDACTION')
       OR NOT (t_key = ANY (ARRAY['reason', 'note', 'notes', 'description', 'justification', 'context',
                                  'noCredentialReason', 'revokeReason', 'decisionReason']))
       OR jsonb_typeof(ev."details" #> t_path) IS DISTINCT FROM 'string' THEN
      RAISE EXCEPTION 'custodian: field % of event % is not free text that may be redacted', t_pointer, t_seq
        USING ERRCODE = 'insufficient_privilege';
    END IF;
    people := jsonb_build_object('a', cr."requestedById", 'b', cr."decidedById");
    IF ev."actorId" IN (cr."requestedById", cr."decidedById")
       OR (ev."actorType" = 'API_TOKEN' AND EXISTS (SELECT 1 FROM "ApiToken" t WHERE t."id" = ev."actorId"
                                                   AND t."createdById" IN (cr."requestedById", cr."decidedById")))
       OR jsonb_path_exists(ev."details", '$.** ? (@ == $a || @ == $b)', people)
       OR jsonb_path_exists(coalesce(ev."owners", 'null'::jsonb), '$.** ? (@ == $a || @ == $b)', people)
       OR EXISTS (SELECT 1 FROM "Agent" a WHERE a."id" = ev."agentId"
                    AND a."ownerId" IN (cr."requestedById", cr."decidedById"))
       OR EXISTS (SELECT 1 FROM "ControlAssignment" c WHERE c."agentId" = ev."agentId"
                    AND c."userId" IN (cr."requestedById", cr."decidedById")) THEN
      RAISE EXCEPTION
        'custodian: event % is by or about a person who asked for or approved its redaction, or one of their agents',
        t_seq USING ERRCODE = 'insufficient_privilege';
    END IF;
    rid := 'red_' || replace(gen_random_uuid()::text, '-', '');
    INSERT INTO "AuditRedaction" ("id", "seq", "pointer", "changeRequestId") VALUES (rid, t_seq, t_pointer, cr."id");
    PERFORM set_config('custodian.redacting', 'on', true);
    UPDATE "AuditEvent" e
      SET "details" = jsonb_set(e."details", t_path, jsonb_build_object('$redacted', rid), false),
          "salts" = e."salts" - t_pointer
      WHERE e."seq" = t_seq;
    PERFORM set_config('custodian.redacting', 'off', true);
    RETURN QUERY SELECT * FROM "AuditRedaction" r WHERE r."id" = rid;
  END LOOP;
END;
$$;

REVOKE ALL ON FUNCTION custodian_redact(TEXT) FROM PUBLIC;

-- Only chain formats 1 and 2 exist: an event claiming another would be hashed by rules no verifier knows.
CREATE FUNCTION custodian_known_format() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."format" NOT IN (1, 2) THEN
    RAISE EXCEPTION 'custodian: chain format % does not exist', NEW."format" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER audit_event_known_format
  BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION custodian_known_format();
