// `npm run db:migrate`: applies pending migrations to the configured database
// (DATABASE_URL, or the embedded PGlite folder), with the same
// `_prisma_migrations` bookkeeping as `prisma migrate deploy`. Idempotent.
import { ensurePartitionsAhead } from '@/lib/audit/partitions';
import { openMigrationTarget } from '@/lib/db/migration-target';
import { withOwnerDb } from '@/lib/db/owner';
import { grantConfiguredApplicationRole } from '@/lib/db/roles';
import { runScript } from '@/lib/db/run-script';
import { installJobQueues } from '@/lib/jobs/boss';
import { applyMigrations } from './schema-engine';

async function main() {
  const { target, label, close } = await openMigrationTarget();
  try {
    const applied = await applyMigrations(target.factory);
    console.log(
      applied.length === 0
        ? `${label}: already up to date.`
        : `${label}: applied ${applied.length} migration(s):\n${applied.map((n) => `  ${n}`).join('\n')}`,
    );
  } finally {
    await close();
  }
  // The timeline's partitions ahead of the chain.
  const created = await withOwnerDb((db) => ensurePartitionsAhead(db));
  if (created > 0) console.log(`${label}: created ${created} audit partition(s) ahead of the chain.`);
  // The background jobs' queues, installed as the owner like the tables.
  await installJobQueues();
  // New tables are the owner's: grant the application role what it may do with them.
  const role = await grantConfiguredApplicationRole();
  if (role) console.log(`${label}: granted the application role ${role} its privileges.`);
}

runScript(main);
