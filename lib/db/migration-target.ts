import 'server-only';
import { getEnv } from '@/lib/env';
import { pgliteMigrationTarget, pgMigrationTarget, type MigrationTarget } from './adapters';
import { closeEmbeddedDatabase, getEmbeddedDatabase } from './pglite';

/** The configured database, as the schema engine needs it (as its owner). */
export async function openMigrationTarget(): Promise<{
  target: MigrationTarget;
  label: string;
  close(): Promise<void>;
}> {
  const env = getEnv();
  // Migrations run as the owner when one is configured.
  const ownerUrl = env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL;
  if (ownerUrl) {
    const target = pgMigrationTarget(ownerUrl);
    const url = new URL(ownerUrl);
    return { target, label: `PostgreSQL ${url.host}${url.pathname}`, close: () => target.dispose() };
  }
  const target = pgliteMigrationTarget(getEmbeddedDatabase(env.PGLITE_DIR));
  return {
    target,
    label: `embedded PGlite (${env.PGLITE_DIR})`,
    close: async () => {
      await target.dispose();
      await closeEmbeddedDatabase();
    },
  };
}
