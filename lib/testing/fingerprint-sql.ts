// Plain SQL, no server imports: the end-to-end suites run it over their own connection.

/** Every table of the schema but the migration log. */
export const TABLES_SQL = `SELECT table_name AS name FROM information_schema.tables
  WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'
  ORDER BY 1`;

/** One row, a column per table: the digest of every row in it. Equal before and after means nothing changed. */
export function fingerprintSql(tables: string[]): string {
  const parts = tables.map(
    (t) => `(SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM "${t}" x) AS "${t}"`,
  );
  return `SELECT ${parts.join(', ')}`;
}
