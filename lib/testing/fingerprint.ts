import { getDb } from '@/lib/db';
import { fingerprintSql, TABLES_SQL } from './fingerprint-sql';

/** A digest of every row of every table (read from the schema, so a new table is covered the day it lands). */
export async function databaseFingerprint(): Promise<Record<string, string>> {
  const tables = await getDb().$queryRawUnsafe<{ name: string }[]>(TABLES_SQL);
  const [row] = await getDb().$queryRawUnsafe<Record<string, string>[]>(fingerprintSql(tables.map((t) => t.name)));
  return row ?? {};
}
