// Once per Vitest run. With a PostgreSQL server (DATABASE_URL), migrate a
// template database that every test file clones (CREATE DATABASE … TEMPLATE
// is fast); without one, each file migrates an in-memory PGlite instead.
import type { TestProject } from 'vitest/node';
import { pgMigrationTarget } from '@/lib/db/adapters';
import { ensureApplicationRole } from '@/lib/db/roles';
import { applyMigrations } from '@/prisma/schema-engine';
import { createDatabase, dropDatabase } from '@/prisma/temporary-database';
import { applicationUrl } from './application-role';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string | null;
  }
}

export default async function setup(project: TestProject) {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    if (process.env.CI === 'true') {
      throw new Error('CI=true needs DATABASE_URL: the concurrency tests must run on a real PostgreSQL server.');
    }
    console.warn(
      '\n[custodian] No DATABASE_URL: tests run on a throw-away embedded PGlite database. ' +
        'Concurrency tests are SKIPPED: they need a PostgreSQL server (set DATABASE_URL).\n',
    );
    project.provide('templateDatabase', null);
    return;
  }
  const templateUrl = await createDatabase(serverUrl, 'custodian_tpl');
  const target = pgMigrationTarget(templateUrl);
  try {
    await applyMigrations(target.factory);
  } finally {
    await target.dispose();
  }
  // The code under test runs as the application role; the grants are copied with the template into every clone.
  await ensureApplicationRole(templateUrl, applicationUrl(templateUrl));
  project.provide('templateDatabase', decodeURIComponent(new URL(templateUrl).pathname.slice(1)));
  return async () => dropDatabase(templateUrl);
}
