import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { getEnv } from '@/lib/env';
import { PrismaClient, type Prisma } from '@/lib/generated/prisma/client';
import { closeEmbeddedDatabase, getEmbeddedDatabase, withArrayLiterals } from './pglite';
import { preparedName } from './prepared';

export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

const holder = globalThis as { __custodianDb?: PrismaClient; __custodianPool?: pg.Pool };

/**
 * The one Prisma client. DATABASE_URL selects a PostgreSQL server; without it
 * the embedded PGlite database is used. Created on first use, so a build never
 * opens the embedded folder.
 */
export function getDb(): PrismaClient {
  holder.__custodianDb ??= createClient();
  return holder.__custodianDb;
}

function createClient(): PrismaClient {
  const env = getEnv();
  if (env.DATABASE_URL) {
    // The pool is ours, so the hot path can use it too (./hot-path.ts); the client ends it when it disconnects.
    // Idle connections are kept a minute, not pg's 10 s: each holds the hot statements it has prepared. A request
    // waits at most 30 s for a connection (pg's default is forever).
    holder.__custodianPool = new pg.Pool({
      connectionString: env.DATABASE_URL,
      max: 10,
      idleTimeoutMillis: 60_000,
      connectionTimeoutMillis: 30_000,
    });
    return new PrismaClient({
      adapter: new PrismaPg(holder.__custodianPool, {
        statementNameGenerator: preparedName as (query: { sql: string }) => string,
        disposeExternalPool: true,
      }),
    });
  }
  return new PrismaClient({ adapter: new PrismaPGlite(withArrayLiterals(getEmbeddedDatabase(env.PGLITE_DIR))) });
}

/** The connection pool under the client on a PostgreSQL server; null on the embedded database. */
export function getPool(): pg.Pool | null {
  getDb();
  return holder.__custodianPool ?? null;
}

/** Whether the database is a real server (concurrency tests need one). */
export function isPostgresServer(): boolean {
  return Boolean(getEnv().DATABASE_URL);
}

export async function disconnectDb(): Promise<void> {
  const client = holder.__custodianDb;
  holder.__custodianDb = undefined;
  holder.__custodianPool = undefined;
  await client?.$disconnect();
  await closeEmbeddedDatabase();
}
