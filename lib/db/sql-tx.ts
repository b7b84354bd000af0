import 'server-only';
import pg from 'pg';
import { Prisma } from '@/lib/generated/prisma/client';
import { getDb, hotClient } from './client';
import { preparedName } from './prepared';

// A write that speaks only SQL (the audit append, the issuance gate's record) needs of its transaction two methods,
// which Prisma's transaction client has and a pg connection can be given. On the gate's path a Prisma interactive
// transaction costs more on the client than its statements cost PostgreSQL (about 0.4 ms a statement against 0.1),
// so there the same code runs on the hot pool's connection instead (hotTransaction).

/** A transaction raw SQL runs in: Prisma's transaction client, or a hot-pool connection's (hotTransaction). */
export type SqlTx = {
  $queryRaw<T = unknown>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<T>;
  $executeRaw(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]): Promise<number>;
};

/**
 * How long a statement of a hot transaction may run, and the transaction sit idle between two: it holds the chain
 * head's lock, so a stuck caller must not hold it for long (Prisma's transactions here are bounded at 30 s too).
 */
const TIMEOUT_MS = 30_000;

/**
 * Runs `work` in one transaction on a hot-pool connection, committing when it returns and rolling back when it
 * throws; on the embedded database (no pool) in a Prisma transaction. Its rows come as Prisma gives the types the
 * write path reads: bigint for int8, Dates for timestamps (read as UTC), JSON parsed. Its `tx` refuses any statement
 * once the transaction has ended, as Prisma's does.
 */
export async function hotTransaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
  const client = await hotClient();
  if (!client) return getDb().$transaction((tx) => work(tx), { timeout: TIMEOUT_MS, maxWait: TIMEOUT_MS });
  let lost: Error | undefined;
  const open = { now: true };
  try {
    // One round trip: the simple protocol runs all three.
    await client.query(`BEGIN; SET LOCAL statement_timeout = ${TIMEOUT_MS};
      SET LOCAL idle_in_transaction_session_timeout = ${TIMEOUT_MS}`);
    const result = await work(onConnection(client, open));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A connection that cannot even roll back is closed, not handed to the next caller.
    await client.query('ROLLBACK').catch((e: Error) => (lost = e));
    throw error;
  } finally {
    // A statement sent later (a promise nobody awaited) must not run on a connection another caller holds by then.
    open.now = false;
    client.release(lost);
  }
}

/** The two methods on a connection inside a transaction the caller runs (a loader's own client). */
export const sqlTxOf = (client: pg.ClientBase): SqlTx => onConnection(client, { now: true });

/** The two methods on a connection inside a transaction. */
function onConnection(client: pg.ClientBase, open: { now: boolean }): SqlTx {
  const run = async (query: TemplateStringsArray | Prisma.Sql, values: unknown[]) => {
    if (!open.now) throw new Error('This transaction has ended: its statements ran or rolled back already.');
    const sql = query instanceof Prisma.Sql ? query : Prisma.sql(query, ...values);
    return client.query({
      name: preparedName({ sql: sql.text }),
      text: sql.text,
      values: sql.values.map(asParameter),
      types: PRISMA_LIKE,
    });
  };
  return {
    $queryRaw: async <T>(query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      (await run(query, values)).rows as T,
    $executeRaw: async (query: TemplateStringsArray | Prisma.Sql, ...values: unknown[]) =>
      (await run(query, values)).rowCount ?? 0,
  };
}

/** Parameters as Prisma sends them: a Date as its instant in UTC (pg would send local time), a bigint as digits. */
function asParameter(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

const INT8 = 20;
const TIMESTAMP = 1114;

/** Column values as Prisma reads them: int8 as bigint, a timestamp without zone as UTC; the rest as pg does. */
const PRISMA_LIKE = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8) return (text: string) => BigInt(text);
    if (oid === TIMESTAMP) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
    return pg.types.getTypeParser(oid, format);
  }) as pg.CustomTypesConfig['getTypeParser'],
};
