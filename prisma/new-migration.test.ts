import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { openMigrationTarget } from '@/lib/db/migration-target';
import { createMigration } from './new-migration';
import { applyMigrations, MIGRATIONS_DIR, SCHEMA_PATH } from './schema-engine';

const scratch: string[] = [];
afterEach(async () => {
  await Promise.all(scratch.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function copyProject() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'custodian-schema-'));
  scratch.push(dir);
  const migrationsDir = path.join(dir, 'migrations');
  const schemaPath = path.join(dir, 'schema.prisma');
  await cp(MIGRATIONS_DIR, migrationsDir, { recursive: true });
  await cp(SCHEMA_PATH, schemaPath);
  return { migrationsDir, schemaPath };
}

describe('npm run db:migration', () => {
  it('reports no changes when the migrations folder matches the schema', async () => {
    const { migrationsDir, schemaPath } = await copyProject();
    expect(await createMigration('nothing', { migrationsDir, schemaPath })).toBeNull();
    expect(await readdir(migrationsDir)).toEqual(await readdir(MIGRATIONS_DIR));
  });

  it('writes the next migration for a new field; applying it adds the column', async () => {
    const { migrationsDir, schemaPath } = await copyProject();
    const schema = await readFile(schemaPath, 'utf8');
    await writeFile(schemaPath, schema.replace(/(model Agent \{\n)/, '$1  costCentre String?\n'));

    const created = await createMigration('add_agent_cost_centre', {
      migrationsDir,
      schemaPath,
      now: new Date('2999-01-01T00:00:00Z'),
    });
    expect(created?.folder).toBe(path.join(migrationsDir, '29990101000000_add_agent_cost_centre'));
    expect(created?.sql).toMatch(/ALTER TABLE "Agent" ADD COLUMN\s+"costCentre" TEXT/);

    const { target } = await openMigrationTarget();
    try {
      expect(await applyMigrations(target.factory, migrationsDir)).toEqual(['29990101000000_add_agent_cost_centre']);
    } finally {
      await target.dispose();
    }
    const columns = await getDb().$queryRaw<{ column_name: string }[]>`
      SELECT column_name FROM information_schema.columns WHERE table_name = 'Agent' AND column_name = 'costCentre'`;
    expect(columns).toEqual([{ column_name: 'costCentre' }]);
    // With the new migration in place, the folder matches the edited schema.
    expect(await createMigration('again', { migrationsDir, schemaPath })).toBeNull();
  });

  it('refuses a name that is not lower-case letters, digits and underscores', async () => {
    await expect(createMigration('Add Column')).rejects.toThrow(/lower-case/);
  });
});
