import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { getEnv } from '@/lib/env';
import { PrismaClient, type Prisma } from '@/lib/generated/prisma/client';
import { log } from '@/lib/ops/logger';
import { closeEmbeddedDatabase, getEmbeddedDatabase, withArrayLiterals } from './pglite';
import { preparedName } from './prepared';
import { forgetReadSource } from './replica';

export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

const holder = globalThis as {
  __custodianDb?: PrismaClient;
  __custodianHotPool?: pg.Pool;
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
    return serverClient(env.DATABASE_URL, { max: 10, connectionTimeoutMillis: 30_000 });
  }
  return new PrismaClient({ adapter: new PrismaPGlite(withArrayLiterals(getEmbeddedDatabase(env.PGLITE_DIR))) });
}

/**
 * A client on a PostgreSQL server over a pool of our own; the client ends it when it disconnects. Idle connections
 * are kept a minute, not pg's 10 s: each holds the statements it has prepared. `connectionTimeoutMillis` bounds how
 * long a request waits for a connection (pg's default is forever).
 */
export function serverClient(
  connectionString: string,
  options: { max: number; connectionTimeoutMillis: number },
): PrismaClient {
  const pool = new pg.Pool({ connectionString, idleTimeoutMillis: 60_000, ...options });
  // Statements outside Prisma (./hot-path.ts) may use the pool before Prisma has, and listened on it: an idle
  // connection the server closed is dropped, not left to crash the process.
  pool.on('error', (error) => log.warn({ err: error }, 'database pool: a connection was lost'));
  const client = new PrismaClient({
    adapter: new PrismaPg(pool, {
      statementNameGenerator: preparedName as (query: { sql: string }) => string,
      disposeExternalPool: true,
    }),
  });
  pools.set(client, pool);
  return client;
}

/** Each server client's pool, for the statements that bypass Prisma (./hot-path.ts). */
const pools = new WeakMap<PrismaClient, pg.Pool>();

/** The pool under a server client (the primary's or the replica's); null on the embedded database. */
export function poolOf(db: PrismaClient): pg.Pool | null {
  return pools.get(db) ?? null;
}

/**
 * A connection of the pool the hot path's statements run on (./hot-path.ts), beside Prisma's; null on the embedded
 * database. Release it when done. Its connections always use a statement's generic plan: PostgreSQL otherwise keeps
 * planning a big statement (the issuance facts: 1.3 ms of planning against 0.2 ms of running) at every execution,
 * never trusting the cached plan. Only here: Prisma's statements keep their per-value plans.
 */
export async function hotClient(): Promise<pg.PoolClient | null> {
  const url = getEnv().DATABASE_URL;
  if (!url) return null;
  if (!holder.__custodianHotPool) {
    const pool = new pg.Pool({
      connectionString: url,
      max: 5,
      idleTimeoutMillis: 60_000,
      connectionTimeoutMillis: 30_000,
    });
    // An idle connection the server closed (a restart, a failover) is dropped, not left to crash the process.
    pool.on('error', (error) => log.warn({ err: error }, 'hot-path pool: a connection was lost'));
    holder.__custodianHotPool = pool;
  }
  const client = await holder.__custodianHotPool.connect();
  if (!generic.has(client)) {
    // A SET on each new connection, not a startup option (connection poolers refuse those).
    try {
      await client.query('SET plan_cache_mode = force_generic_plan');
    } catch (error) {
      client.release(error as Error);
      throw error;
    }
    generic.add(client);
  }
  return client;
}

/** The hot pool's connections that use generic plans already. */
const generic = new WeakSet<pg.PoolClient>();

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
  holder.__custodianReplica ??= serverClient(url, { max: 5, connectionTimeoutMillis: 2_000 });
  return holder.__custodianReplica;
}

export async function disconnectDb(): Promise<void> {
  const clients = [holder.__custodianDb, holder.__custodianReplica];
  const hot = holder.__custodianHotPool;
  holder.__custodianDb = undefined;
  holder.__custodianHotPool = undefined;
  holder.__custodianReplica = undefined;
  forgetReadSource();
  await Promise.all([...clients.map((c) => c?.$disconnect()), hot?.end()]);
  await closeEmbeddedDatabase();
}
