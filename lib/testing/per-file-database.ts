// Before each test file: its own database, so files can run in parallel and a
// test may tamper with the append-only audit table without touching others.
import { afterAll, inject } from 'vitest';
import { disconnectDb } from '@/lib/db';
import { openMigrationTarget } from '@/lib/db/migration-target';
import { resetEnvCache } from '@/lib/env';
import { applyMigrations } from '@/prisma/schema-engine';
import { createDatabase, dropDatabase } from '@/prisma/temporary-database';
import { applicationUrl } from './application-role';

const template = inject('templateDatabase');
const serverUrl = process.env.DATABASE_URL;

if (template && serverUrl) {
  const url = await createDatabase(serverUrl, 'custodian_test', template);
  // The code under test connects as the application role; tampering (asOwner) as the owner.
  process.env.DATABASE_URL = applicationUrl(url);
  process.env.MIGRATION_DATABASE_URL = url;
  process.env.CUSTODIAN_TEST_SERVER_URL = serverUrl;
  resetEnvCache();
  afterAll(async () => {
    await disconnectDb();
    await dropDatabase(url);
  });
} else {
  delete process.env.DATABASE_URL;
  delete process.env.MIGRATION_DATABASE_URL;
  process.env.PGLITE_DIR = 'memory://';
  resetEnvCache();
  const { target } = await openMigrationTarget();
  await applyMigrations(target.factory);
  await target.dispose();
  afterAll(disconnectDb);
}
