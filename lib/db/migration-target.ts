import 'server-only';
import { getEnv } from '@/lib/env';
import { pgliteMigrationTarget, pgMigrationTarget, type MigrationTarget } from './adapters';
import { closeEmbeddedDatabase, getEmbeddedDatabase } from './pglite';

/** The configured database, as the schema engine needs it. */
export async function openMigrationTarget(): Promise<{
  target: MigrationTarget;
  label: string;
  close(): Promise<void>;
}> {
  const env = getEnv();
  if (env.DATABASE_URL) {
    const target = pgMigrationTarget(env.DATABASE_URL);
    const url = new URL(env.DATABASE_URL);
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
