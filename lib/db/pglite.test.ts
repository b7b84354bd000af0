import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeEmbeddedDatabase, EmbeddedDatabaseBusy, getEmbeddedDatabase } from './pglite';

// These tests open a folder of their own: close this file's embedded
// database first (when the run uses one), as a process holds one at a time.
describe('the embedded database folder lock', async () => {
  beforeAll(closeEmbeddedDatabase);
  const root = await mkdtemp(path.join(os.tmpdir(), 'custodian-pglite-'));
  const dir = path.join(root, 'pglite');
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('refuses, with a clear message, a folder another live process holds', async () => {
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await writeFile(path.join(root, 'pglite.lock'), String(holder.pid));
      expect(() => getEmbeddedDatabase(dir)).toThrow(EmbeddedDatabaseBusy);
      expect(() => getEmbeddedDatabase(dir)).toThrow(`in use by process ${holder.pid}`);
    } finally {
      holder.kill();
    }
  });

  it('takes over a lock left by a process that died', async () => {
    await writeFile(path.join(root, 'pglite.lock'), '999999999');
    const db = getEmbeddedDatabase(dir);
    expect((await db.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await closeEmbeddedDatabase();
  });
});
