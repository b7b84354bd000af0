import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { getEnv } from '@/lib/env';
import { PrismaClient, type Prisma } from '@/lib/generated/prisma/client';
import { closeEmbeddedDatabase, getEmbeddedDatabase, withArrayLiterals } from './pglite';
import { preparedName } from './prepared';
import { forgetReadSource } from './replica';

export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

const holder = globalThis as {
  __custodianDb?: PrismaClient;
  __custodianPool?: pg.Pool;
  __custodianReplica?: PrismaClient;
};

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
    const { client, pool } = serverClient(env.DATABASE_URL, { max: 10, connectionTimeoutMillis: 30_000 });
    holder.__custodianPool = pool;
    return client;
  }
  return new PrismaClient({ adapter: new PrismaPGlite(withArrayLiterals(getEmbeddedDatabase(env.PGLITE_DIR))) });
}

/**
 * A client on a PostgreSQL server over a pool of our own, so the hot path can use the pool too (./hot-path.ts); the
 * client ends it when it disconnects. Idle connections are kept a minute, not pg's 10 s: each holds the hot
 * statements it has prepared. `connectionTimeoutMillis` bounds how long a request waits for a connection (pg's
 * default is forever).
 */
export function serverClient(
  connectionString: string,
  options: { max: number; connectionTimeoutMillis: number },
): { client: PrismaClient; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString, idleTimeoutMillis: 60_000, ...options });
  const client = new PrismaClient({
    adapter: new PrismaPg(pool, {
      statementNameGenerator: preparedName as (query: { sql: string }) => string,
      disposeExternalPool: true,
    }),
  });
  return { client, pool };
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

/**
 * The client on the streaming replica (DATABASE_REPLICA_URL), or null without one. Only reads that tolerate lag use
 * it, through ./replica.ts, which checks how far behind it is first. A replica that does not answer within 2 s is
 * passed over, so its pool waits no longer than that for a connection.
 */
export function getReplicaDb(): PrismaClient | null {
  const url = getEnv().DATABASE_REPLICA_URL;
  if (!url) return null;
  holder.__custodianReplica ??= serverClient(url, { max: 5, connectionTimeoutMillis: 2_000 }).client;
  return holder.__custodianReplica;
}

export async function disconnectDb(): Promise<void> {
  const clients = [holder.__custodianDb, holder.__custodianReplica];
  holder.__custodianDb = undefined;
  holder.__custodianPool = undefined;
  holder.__custodianReplica = undefined;
  forgetReadSource();
  await Promise.all(clients.map((c) => c?.$disconnect()));
  await closeEmbeddedDatabase();
}
