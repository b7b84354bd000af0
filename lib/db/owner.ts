import 'server-only';
import { PrismaPg } from '@prisma/adapter-pg';
import { getEnv } from '@/lib/env';
import { PrismaClient } from '@/lib/generated/prisma/client';
import { getDb, type Db } from './client';

/**
 * Runs `work` with a client connected as the database's owner (MIGRATION_DATABASE_URL), for the owner's commands —
 * partitions, archiving — that the application role may not run. Without one configured, the application's own
 * connection is the owner (the embedded database, or a single-role setup).
 */
export async function withOwnerDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const url = getEnv().MIGRATION_DATABASE_URL;
  if (!url) return work(getDb());
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 2 }) });
  try {
    return await work(db);
  } finally {
    await db.$disconnect();
  }
}
