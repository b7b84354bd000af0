// `npm run db:roles`: creates the application role DATABASE_URL names (when it does not exist, with its password)
// and grants it what it may do, connecting as the owner in MIGRATION_DATABASE_URL. `npm run db:migrate` does the same
// after each migration, so new tables are covered.
import { grantConfiguredApplicationRole } from '@/lib/db/roles';
import { runScript } from '@/lib/db/run-script';

async function main(): Promise<number> {
  const role = await grantConfiguredApplicationRole();
  if (!role) {
    console.error('Set MIGRATION_DATABASE_URL (the owner) and DATABASE_URL (the application role, another one).');
    return 1;
  }
  console.log(`${role}: reads and writes the registry; reads and appends the audit record; owns nothing.`);
  return 0;
}

runScript(main);
