// The shadow database a diff replays migrations on: a temporary database on
// the PostgreSQL server when DATABASE_URL is set, an in-memory PGlite if not.
import { pgliteMigrationTarget, pgMigrationTarget, type MigrationTarget } from '@/lib/db/adapters';
import { newPGlite } from '@/lib/db/pglite';
import { getEnv } from '@/lib/env';
import { withTemporaryDatabase } from './temporary-database';

export async function withShadowTarget<T>(work: (target: MigrationTarget) => Promise<T>): Promise<T> {
  const { DATABASE_URL, MIGRATION_DATABASE_URL } = getEnv();
  const ownerUrl = MIGRATION_DATABASE_URL ?? DATABASE_URL;
  if (ownerUrl) {
    return withTemporaryDatabase(ownerUrl, 'custodian_shadow', async (shadowUrl) => {
      const target = pgMigrationTarget(shadowUrl, shadowUrl);
      try {
        return await work(target);
      } finally {
        await target.dispose();
      }
    });
  }
  const scratch = newPGlite();
  const target = pgliteMigrationTarget(scratch);
  try {
    return await work(target);
  } finally {
    await target.dispose();
    await scratch.close();
  }
}
