import 'server-only';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';

// PGlite allows one process per data folder; a second one would corrupt it.
// A lock file holding the owner's pid turns that into a clear error.

/** A PGlite instance with the extensions the migrations create (pg_trgm backs the agents search). */
export function newPGlite(dataDir?: string): PGlite {
  // Options go in one object: PGlite ignores them after an undefined data folder.
  return new PGlite({ dataDir, extensions: { pg_trgm } });
}

type Embedded = { client: PGlite; dir: string; lockFile?: string };
const holder = globalThis as { __custodianPGlite?: Embedded };

export class EmbeddedDatabaseBusy extends Error {
  constructor(dir: string, pid: number) {
    super(
      `The embedded database in ${dir} is in use by process ${pid} (probably \`npm run dev\`). ` +
        'PGlite allows one process per data folder: stop that process first, or set DATABASE_URL to use a ' +
        'PostgreSQL server.',
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function acquireLock(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const lockFile = path.join(dir, '..', `${path.basename(dir)}.lock`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      process.once('exit', () => rmSync(lockFile, { force: true }));
      return lockFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = Number(readFileSync(lockFile, 'utf8'));
      if (pid === process.pid) return lockFile;
      if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) throw new EmbeddedDatabaseBusy(dir, pid);
      rmSync(lockFile, { force: true }); // left by a process that died
    }
  }
  throw new Error(`Could not lock the embedded database in ${dir}.`);
}

/** The process's embedded database ('memory://' for a throw-away one). */
export function getEmbeddedDatabase(dir: string): PGlite {
  const current = holder.__custodianPGlite;
  if (current) {
    if (current.dir !== dir) throw new Error(`The embedded database is already open on ${current.dir}.`);
    return current.client;
  }
  const isMemory = dir.startsWith('memory://');
  const lockFile = isMemory ? undefined : acquireLock(path.resolve(dir));
  const client = newPGlite(isMemory ? dir : path.resolve(dir));
  holder.__custodianPGlite = { client, dir, lockFile };
  return client;
}

export async function closeEmbeddedDatabase(): Promise<void> {
  const current = holder.__custodianPGlite;
  if (!current) return;
  holder.__custodianPGlite = undefined;
  await current.client.close();
  if (current.lockFile) rmSync(current.lockFile, { force: true });
}

type Query = PGlite['query'];

/** Postgres array literal: {"a","b"}; nested arrays recurse, null is NULL. */
function toArrayLiteral(values: unknown[]): string {
  const element = (v: unknown): string =>
    v === null || v === undefined
      ? 'NULL'
      : Array.isArray(v)
        ? toArrayLiteral(v)
        : `"${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return `{${values.map(element).join(',')}}`;
}

/**
 * PGlite serialises a JS array parameter only when it knows the parameter's
 * array type; for enum arrays (Role[]) it sends `String(array)`, so
 * `roles: { has: 'ADMIN' }` fails with "malformed array literal". node-postgres
 * always sends an array literal: do the same for Prisma's queries.
 */
export function withArrayLiterals(client: PGlite): PGlite {
  const query =
    (target: PGlite | Parameters<Parameters<PGlite['transaction']>[0]>[0]): Query =>
    (sql, params, options) =>
      target.query(
        sql,
        params?.map((p) => (Array.isArray(p) ? toArrayLiteral(p) : p)),
        options,
      ) as never;
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return query(target);
      if (property === 'transaction') {
        return (work: Parameters<PGlite['transaction']>[0]) =>
          target.transaction((tx) =>
            work(new Proxy(tx, { get: (t, p) => (p === 'query' ? query(t) : bindTo(t, Reflect.get(t, p))) })),
          );
      }
      return bindTo(target, Reflect.get(target, property));
    },
  });
}

function bindTo(target: object, value: unknown) {
  return typeof value === 'function' ? value.bind(target) : value;
}
