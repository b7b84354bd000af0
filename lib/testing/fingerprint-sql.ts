// Plain SQL, no server imports: the end-to-end suites run it over their own connection.

/** Every table of the schema but the migration log; a partitioned table once (its partitions' rows are its own). */
export const TABLES_SQL = `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition
    AND c.relname <> '_prisma_migrations'
  ORDER BY 1`;

/** One row, a column per table: the digest of every row in it. Equal before and after means nothing changed. */
export function fingerprintSql(tables: string[]): string {
  const parts = tables.map(
    (t) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${t}" x) AS "${t}"`,
  );
  return `SELECT ${parts.join(', ')}`;
}

/**
 * The tables an appended event (a refusal's alarm too) moves — the timeline, its head and the head's signature — and
 * the checkpoints the server signs every minute on its own.
 */
export const AUDIT_RECORD = ['AuditEvent', 'AuditChainHead', 'AuditSignature', 'AuditCheckpoint'] as const;

/** A fingerprint without the audit record: what a refused request must leave exactly as it was. */
export function withoutAuditRecord(fingerprint: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(fingerprint).filter(([table]) => !(AUDIT_RECORD as readonly string[]).includes(table)),
  );
}
