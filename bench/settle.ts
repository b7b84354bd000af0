import type { Pool } from 'pg';

/**
 * Vacuums (and analyzes) every table with more than `threshold` rows inserted or dead since its last vacuum, then
 * checkpoints: the page rows then time the pages, not autovacuum catching up with the writes of the rows before them
 * (the gate's thousands of decisions, an earlier run's ingest). Needs the owner's connection. Returns what it did.
 */
export async function settleDatabase(pg: Pool, threshold = 10_000): Promise<{ tables: string[]; seconds: number }> {
  const started = Date.now();
  const { rows } = await pg.query<{ name: string }>(
    `SELECT format('%I.%I', schemaname, relname) AS name FROM pg_stat_user_tables
     WHERE n_ins_since_vacuum + n_dead_tup > $1 ORDER BY 1`,
    [threshold],
  );
  for (const { name } of rows) await pg.query(`VACUUM (ANALYZE) ${name}`);
  await pg.query('CHECKPOINT');
  return { tables: rows.map((r) => r.name), seconds: (Date.now() - started) / 1000 };
}
