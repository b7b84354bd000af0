import type { PGlite } from '@electric-sql/pglite';
import PgBoss from 'pg-boss';
import { getEmbeddedDatabase } from '@/lib/db/pglite';
import { getEnv } from '@/lib/env';
import { log } from '@/lib/ops/logger';
import { CRON_QUEUE, DEAD_LETTER, JOB_SCHEMA, QUEUE_OPTIONS, QUEUES } from './queues';

/**
 * pg-boss on the embedded database: its `db` adapter runs each statement on the process's PGlite (whose queries wait
 * for any open transaction, so a job never joins a request's). A statement without parameters may be a script.
 */
export function pgliteAdapter(client: PGlite) {
  return {
    executeSql: async (text: string, values?: unknown[]) => {
      if (values && values.length > 0) return client.query(text, values);
      const results = await client.exec(text);
      return results.at(-1) ?? { rows: [], fields: [] };
    },
  };
}

/**
 * A queue client on the configured database: DATABASE_URL (the application role), or the embedded PGlite folder.
 * `owner` connects as the migration owner instead (MIGRATION_DATABASE_URL when set), to install the schema.
 */
export function newBoss(options: { owner?: boolean } & Partial<PgBoss.ConstructorOptions> = {}): PgBoss {
  const { owner, ...rest } = options;
  const env = getEnv();
  const url = owner ? (env.MIGRATION_DATABASE_URL ?? env.DATABASE_URL) : env.DATABASE_URL;
  const connection = url
    ? { connectionString: url, max: 4, application_name: 'custodian-jobs' }
    : { db: pgliteAdapter(getEmbeddedDatabase(env.PGLITE_DIR)) };
  return new PgBoss({ schema: JOB_SCHEMA, migrate: Boolean(owner), ...connection, ...rest });
}

/**
 * Installs (or upgrades) the queue schema and creates the queues, as the owner: `db:migrate` and the dev server's
 * preparation call it, before the application role is granted what it may do with them.
 */
export async function installJobQueues(): Promise<void> {
  const boss = newBoss({ owner: true, supervise: false, schedule: false });
  boss.on('error', (error) => log.error({ err: error }, 'job queue install'));
  await boss.start();
  try {
    // pg-boss's own cron queue too: it sends each cron job's run, and the application role cannot create it.
    for (const [name, options] of [
      [DEAD_LETTER, {}],
      [CRON_QUEUE, {}],
      ...QUEUES.map((q) => [q.name, { ...QUEUE_OPTIONS, expireInSeconds: q.expireInSeconds }] as const),
    ] as const) {
      if (await boss.getQueue(name)) await boss.updateQueue(name, { name, ...options });
      else await boss.createQueue(name, { name, ...options });
    }
  } finally {
    await boss.stop({ graceful: false, wait: true });
  }
}
