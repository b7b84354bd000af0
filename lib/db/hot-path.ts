import 'server-only';
import type { Prisma } from '@/lib/generated/prisma/client';
import { getDb, hotClient } from './client';
import { prepared, preparedName } from './prepared';

// Statements on a broker's hot path (authenticating a token, the issuance gate's facts) run hundreds of times a
// second, and Prisma's query pipeline costs more than such a statement: a few tenths of a millisecond of CPU and its
// garbage each. They run prepared (./prepared.ts) on a pool of their own instead, with generic plans (hotClient);
// the embedded database has no pool, so there they go through Prisma.

/**
 * The rows of a hot statement outside any transaction. Rows come as pg gives them — JSON parsed, timestamps as
 * Dates — so select no bigint columns (pg gives those as strings, Prisma as bigint).
 */
export async function hotRows<T>(statement: Prisma.Sql): Promise<T[]> {
  const marked = prepared(statement);
  const client = await hotClient();
  if (!client) return getDb().$queryRaw<T[]>(marked);
  const name = preparedName({ sql: marked.text });
  try {
    const result = await client.query({ name, text: marked.text, values: marked.values });
    return result.rows as T[];
  } finally {
    client.release();
  }
}
