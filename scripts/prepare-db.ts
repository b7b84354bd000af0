// Before the app starts: bring the configured database up to date and, with
// --seed, add the demo data to an empty one. Exits with a clear message (not a
// hang) when another process holds the embedded database.
import { getDb } from '@/lib/db';
import { openMigrationTarget } from '@/lib/db/migration-target';
import { grantConfiguredApplicationRole } from '@/lib/db/roles';
import { runScript } from '@/lib/db/run-script';
import { installJobQueues } from '@/lib/jobs/boss';
import { applyMigrations } from '@/prisma/schema-engine';
import { isSeeded, seedDemoData } from '@/prisma/seed';

async function main() {
  const { target, label } = await openMigrationTarget();
  try {
    const applied = await applyMigrations(target.factory);
    console.log(applied.length > 0 ? `${label}: applied ${applied.length} migration(s).` : `${label}: up to date.`);
  } finally {
    await target.dispose();
  }
  await installJobQueues();
  const role = await grantConfiguredApplicationRole();
  if (role) console.log(`${label}: the application runs as ${role}, which owns nothing.`);
  if (process.argv.includes('--seed') && !(await isSeeded(getDb()))) {
    const seeded = await seedDemoData(getDb());
    console.log(`${label}: seeded ${seeded.people} people, ${seeded.agents} agents, ${seeded.events} custody events.`);
  }
}

runScript(main);
