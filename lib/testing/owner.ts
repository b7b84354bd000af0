import pg from 'pg';
import { getDb } from '@/lib/db';

/**
 * Runs statements in one transaction as the database's owner — what the code under test, running as the application
 * role, cannot do (disable triggers, rewrite the audit record, ANALYZE). On embedded PGlite there is one role.
 */
export async function asOwner(...statements: string[]): Promise<void> {
  const url = process.env.MIGRATION_DATABASE_URL;
  if (!url) {
    await getDb().$transaction(statements.map((s) => getDb().$executeRawUnsafe(s)));
    return;
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (const s of statements) await client.query(s);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
