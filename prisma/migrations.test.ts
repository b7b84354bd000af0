import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pgliteMigrationTarget, pgMigrationTarget, type MigrationTarget } from '@/lib/db/adapters';
import { newPGlite } from '@/lib/db/pglite';
import { testServerUrl } from '@/lib/testing/postgres';
import { applyMigrations, diffMigrationsToSchema, MIGRATIONS_DIR, readMigrationsList } from './schema-engine';
import { withShadowTarget } from './shadow';
import { withTemporaryDatabase } from './temporary-database';

/** An empty database of the kind this run uses, with a way to query it. */
async function withEmptyDatabase(
  work: (target: MigrationTarget, query: (sql: string) => Promise<unknown[]>) => Promise<void>,
) {
  if (testServerUrl) {
    await withTemporaryDatabase(testServerUrl, 'custodian_mig', async (url) => {
      const target = pgMigrationTarget(url);
      const pg = await import('pg');
      const client = new pg.default.Client({ connectionString: url });
      await client.connect();
      try {
        await work(target, async (sql) => (await client.query(sql)).rows);
      } finally {
        await client.end();
        await target.dispose();
      }
    });
    return;
  }
  const db = newPGlite();
  const target = pgliteMigrationTarget(db);
  try {
    await work(target, async (sql) => (await db.query(sql)).rows);
  } finally {
    await target.dispose();
    await db.close();
  }
}

describe('offline migrations', () => {
  it('apply once to an empty database, then nothing, with prisma migrate deploy bookkeeping', async () => {
    const folders = (await readMigrationsList()).migrationDirectories.map((d) => d.path);
    expect(folders.length).toBeGreaterThanOrEqual(2);

    await withEmptyDatabase(async (target, query) => {
      expect(await applyMigrations(target.factory)).toEqual(folders);
      expect(await applyMigrations(target.factory)).toEqual([]);

      const rows = (await query(
        'SELECT migration_name, checksum, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY migration_name',
      )) as { migration_name: string; checksum: string; finished_at: Date | null; rolled_back_at: Date | null }[];
      expect(rows.map((r) => r.migration_name)).toEqual(folders);
      for (const row of rows) {
        const sql = await readFile(path.join(MIGRATIONS_DIR, row.migration_name, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
        expect(row.finished_at).not.toBeNull();
        expect(row.rolled_back_at).toBeNull();
      }
      // The hand-written migration ran whole (function bodies contain ';').
      const triggers = (await query(
        `SELECT tgname FROM pg_trigger WHERE tgrelid = '"AuditEvent"'::regclass AND NOT tgisinternal ORDER BY tgname`,
      )) as { tgname: string }[];
      expect(triggers.map((t) => t.tgname)).toEqual([
        'audit_event_known_format',
        'audit_event_no_delete',
        'audit_event_no_truncate',
        'audit_event_positive_seq',
        'audit_event_redaction_only',
      ]);
    });
  });

  it('the migrations folder is in sync with schema.prisma (the diff is empty)', async () => {
    const sql = await withShadowTarget((target) => diffMigrationsToSchema(target.factory));
    expect(sql).toBe('');
  });

  it('a failing migration is recorded as failed and blocks later ones', async () => {
    const { mkdtemp, cp, mkdir, writeFile, rm } = await import('node:fs/promises');
    const os = await import('node:os');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'custodian-migrations-'));
    try {
      await cp(MIGRATIONS_DIR, dir, { recursive: true });
      await mkdir(path.join(dir, '29990101000000_broken'));
      await writeFile(
        path.join(dir, '29990101000000_broken', 'migration.sql'),
        'SELECT 1;\nSELECT * FROM "NoSuchTable";\n',
      );
      await withEmptyDatabase(async (target, query) => {
        await expect(applyMigrations(target.factory, dir)).rejects.toThrow(/NoSuchTable/);
        const rows = (await query(
          `SELECT finished_at FROM _prisma_migrations WHERE migration_name = '29990101000000_broken'`,
        )) as { finished_at: Date | null }[];
        expect(rows).toHaveLength(1);
        expect(rows[0]?.finished_at).toBeNull();
        await expect(applyMigrations(target.factory, dir)).rejects.toThrow(/failed/);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
