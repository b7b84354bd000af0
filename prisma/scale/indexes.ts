// A bulk load writes faster into a table without its secondary indexes, and building each index once afterwards
// (sorted, in parallel workers) is cheaper than maintaining it row by row. The primary key stays: partitions are
// routed and duplicates refused by it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Client } from 'pg';

type Deferred = { name: string; def: string };

/**
 * Where the dropped definitions wait, per database: a run killed mid-load leaves them here, and the next run on the
 * same database builds them first.
 */
export function pendingFile(client: Client): string {
  return path.join('.data', `scale-deferred-indexes-${client.database ?? 'default'}.json`);
}

async function secondaryIndexes(client: Client, table: string): Promise<Deferred[]> {
  const { rows } = await client.query<Deferred>(
    `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def
     FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
     WHERE x.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
     ORDER BY i.relname`,
    [`"${table}"`],
  );
  return rows;
}

/** Builds the indexes a load deferred; `onIndex` is told each one as it starts. */
async function build(client: Client, deferred: Deferred[], onIndex: (name: string) => void): Promise<void> {
  await client.query(`SET maintenance_work_mem = '1GB'`);
  await client.query(`SET max_parallel_maintenance_workers = 2`);
  for (const { name, def } of deferred) {
    onIndex(name);
    // On a partitioned table the definition reads ON ONLY (the parent alone): built on every partition instead.
    await client.query(def.replace(/^CREATE (UNIQUE )?INDEX (\S+) ON (ONLY )?/, 'CREATE $1INDEX IF NOT EXISTS $2 ON '));
  }
  await client.query('RESET maintenance_work_mem');
  await client.query('RESET max_parallel_maintenance_workers');
}

/** The indexes an earlier run dropped and did not live to build, built now. */
export async function buildPendingIndexes(client: Client, onIndex: (name: string) => void): Promise<number> {
  const pending = pendingFile(client);
  if (!existsSync(pending)) return 0;
  const deferred = JSON.parse(readFileSync(pending, 'utf8')) as Deferred[];
  await build(client, deferred, onIndex);
  rmSync(pending);
  return deferred.length;
}

/** Runs `load` with `table`'s secondary indexes dropped, and builds them again after it, succeeded or not. */
export async function withIndexesDeferred<T>(
  client: Client,
  table: string,
  load: () => Promise<T>,
  onIndex: (name: string) => void,
): Promise<T> {
  const deferred = await secondaryIndexes(client, table);
  const pending = pendingFile(client);
  mkdirSync(path.dirname(pending), { recursive: true });
  writeFileSync(pending, JSON.stringify(deferred));
  for (const { name } of deferred) await client.query(`DROP INDEX "${name}"`);
  let result: T;
  try {
    result = await load();
  } catch (error) {
    // A load that failed left its transaction aborted: end it, build the indexes, and report the load's failure.
    await client.query('ROLLBACK').catch(() => {});
    await build(client, deferred, onIndex)
      .then(() => rmSync(pending))
      .catch(() => {});
    throw error;
  }
  await build(client, deferred, onIndex);
  rmSync(pending);
  return result;
}
