// Before the app starts: bring the configured database up to date. Exits
// clearly (not a hang) when another process holds the embedded database.
import { disconnectDb } from '@/lib/db';
import { openMigrationTarget } from '@/lib/db/migration-target';
import { applyMigrations } from '@/prisma/schema-engine';

async function main() {
  const { target, label, close } = await openMigrationTarget();
  try {
    const applied = await applyMigrations(target.factory);
    if (applied.length > 0) console.log(`${label}: applied ${applied.length} migration(s).`);
  } finally {
    await close();
  }
  await disconnectDb();
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
