import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { getEnv } from '@/lib/env';
import { PrismaClient, type Prisma } from '@/lib/generated/prisma/client';
import { closeEmbeddedDatabase, getEmbeddedDatabase, withArrayLiterals } from './pglite';

export type Db = PrismaClient;
export type Tx = Prisma.TransactionClient;

const holder = globalThis as { __custodianDb?: PrismaClient };

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
    return new PrismaClient({ adapter: new PrismaPg({ connectionString: env.DATABASE_URL, max: 10 }) });
  }
  return new PrismaClient({ adapter: new PrismaPGlite(withArrayLiterals(getEmbeddedDatabase(env.PGLITE_DIR))) });
}

/** Whether the database is a real server (concurrency tests need one). */
export function isPostgresServer(): boolean {
  return Boolean(getEnv().DATABASE_URL);
}

export async function disconnectDb(): Promise<void> {
  const client = holder.__custodianDb;
  holder.__custodianDb = undefined;
  await client?.$disconnect();
  await closeEmbeddedDatabase();
}
