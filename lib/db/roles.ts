// Least privilege in the database: migrations run as the owner (MIGRATION_DATABASE_URL); the application runs as a
// role that owns nothing, so it cannot ALTER, DROP, TRUNCATE or disable a trigger, and may only read and append the
// audit record (the head moves, and a field is redacted, through its owner's functions, which check each move).
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';
import { getEnv } from '@/lib/env';

/** The audit record (and the issuance decisions it mirrors): read and appended by the application, never changed. */
const APPEND_ONLY = ['AuditEvent', 'AuditSignature', 'AuditCheckpoint', 'IssuanceDecision', 'CredentialMisuse'];

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** The grants that make `role` the application role of the current database (idempotent). */
export function applicationGrants(role: string): string[] {
  const r = ident(role);
  const appendOnly = APPEND_ONLY.map(ident).join(', ');
  return [
    `GRANT USAGE ON SCHEMA public TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${r}`,
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "_prisma_migrations" FROM ${r}`,
    `REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON ${appendOnly} FROM ${r}`,
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditChainHead" FROM ${r}`,
    // Archives are written only by the owner's archive command.
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditArchive" FROM ${r}`,
    // Redactions are written only by custodian_redact(), which checks the approved request itself.
    `REVOKE INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON "AuditRedaction" FROM ${r}`,
    `GRANT EXECUTE ON FUNCTION custodian_lock_head(), custodian_advance_head(BIGINT, CHAR), ` +
      `custodian_advance_head_records(BIGINT, CHAR), custodian_redact(TEXT) TO ${r}`,
    // The timeline's partitions (created ahead by the owner): reached only through "AuditEvent", never directly.
    `DO $grants$ DECLARE p regclass; BEGIN
       FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = '"AuditEvent"'::regclass LOOP
         EXECUTE format('REVOKE ALL ON %s FROM %I', p, '${role.replace(/'/g, "''")}');
       END LOOP; END $grants$`,
    `REVOKE ALL ON FUNCTION custodian_audit_partitions_ahead(BIGINT, BIGINT, INTEGER) FROM ${r}`,
    `GRANT EXECUTE ON FUNCTION custodian_audit_keep_partitions_ahead() TO ${r}`,
    // A verification's result is recorded, never edited (its time is the database's: a trigger sets it).
    `REVOKE UPDATE, DELETE, TRUNCATE ON "AuditVerification" FROM ${r}`,
    // So is a registry check's.
    `REVOKE UPDATE, DELETE, TRUNCATE ON "RegistryCheck" FROM ${r}`,
    // The job queues (installed by db:migrate as the owner): the application sends, works and archives jobs, keeps
    // the cron schedules and its clock marks; it reads the queues' rules and cannot change them (one run at a time).
    `DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgboss') THEN
       GRANT USAGE ON SCHEMA pgboss TO ${r};
       GRANT SELECT, INSERT, UPDATE, DELETE ON pgboss.job, pgboss.archive, pgboss.schedule TO ${r};
       GRANT SELECT ON pgboss.queue, pgboss.subscription TO ${r};
       GRANT SELECT, UPDATE ON pgboss.version TO ${r};
     END IF; END $$`,
  ];
}

/**
 * The password as the statement carries it: for ASCII (what SASLprep leaves as it is) the SCRAM-SHA-256 verifier
 * PostgreSQL would store, computed here, as `\password` in psql does. A statement's text can reach the server's log
 * (log_statement, a failed statement, an audit extension): a verifier there does not give the password away.
 * Anything else goes as typed, for the server to normalise, since a verifier of the wrong bytes would lock the
 * application out.
 */
export function passwordForStatement(password: string, salt: Buffer = randomBytes(16)): string {
  if (!/^[\x20-\x7e]*$/.test(password)) return password;
  const iterations = 4096;
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const storedKey = createHash('sha256').update(hmac(salted, 'Client Key')).digest();
  const serverKey = hmac(salted, 'Server Key');
  const b64 = (b: Buffer) => b.toString('base64');
  return `SCRAM-SHA-256$${iterations}:${b64(salt)}$${b64(storedKey)}:${b64(serverKey)}`;
}

/**
 * Creates the application role named in `appUrl` (with its password) when it does not exist, and grants it what
 * it may do in the owner's database. Refuses when both URLs name the same role: the point is two.
 */
export async function ensureApplicationRole(ownerUrl: string, appUrl: string): Promise<string> {
  const role = decodeURIComponent(new URL(appUrl).username);
  const owner = decodeURIComponent(new URL(ownerUrl).username);
  if (!role || role === owner) {
    throw new Error('DATABASE_URL must name a role of its own, not the owner in MIGRATION_DATABASE_URL.');
  }
  const client = new pg.Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    const password = decodeURIComponent(new URL(appUrl).password);
    const withPassword = password ? ` PASSWORD ${client.escapeLiteral(passwordForStatement(password))}` : '';
    // An existing role keeps its name and gets the configured password (DATABASE_URL is the truth).
    await client.query(
      rowCount
        ? `ALTER ROLE ${ident(role)} LOGIN${withPassword}`
        : `CREATE ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS${withPassword}`,
    );
    // All at once: between a broad grant and the revokes that narrow it, the role must never hold both.
    await client.query('BEGIN');
    try {
      for (const statement of applicationGrants(role)) await client.query(statement);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    }
    return role;
  } finally {
    await client.end();
  }
}

/** After migrating: when the owner and the application are two roles, make the application's what it should be. */
export async function grantConfiguredApplicationRole(): Promise<string | null> {
  const { MIGRATION_DATABASE_URL: owner, DATABASE_URL: app } = getEnv();
  if (!owner || !app || owner === app) return null;
  return ensureApplicationRole(owner, app);
}
