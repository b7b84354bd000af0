// Prisma's own schema engine, compiled to WebAssembly, driven through a driver
// adapter: `prisma migrate deploy` and `prisma migrate diff` with no native
// engine and no internet. See ../shared/notes/stack-facts.md for the traps.
import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  bindMigrationAwareSqlAdapterFactory,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type { MigrationList, SchemaEngine } from '@prisma/schema-engine-wasm';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';

export const SCHEMA_PATH = path.resolve(import.meta.dirname, 'schema.prisma');
export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, 'migrations');
const LOCKFILE = 'migration_lock.toml';

let loaded: Promise<void> | undefined;

/** The package is a wasm-bindgen bundler build: instantiate its module by hand. */
function loadWasm(): Promise<void> {
  loaded ??= (async () => {
    const entry = createRequire(import.meta.url).resolve('@prisma/schema-engine-wasm');
    const bytes = await readFile(path.join(path.dirname(entry), 'schema_engine_bg.wasm'));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': bg });
    const exports = instance.exports as WebAssembly.Exports & { __wbindgen_start(): void };
    bg.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
  })();
  return loaded;
}

/**
 * The engine leaves a ~10 s timer behind after each call, which keeps Node
 * from exiting. Timers created while it runs are unref'd.
 */
async function withUnrefTimers<T>(work: () => Promise<T>): Promise<T> {
  const original = globalThis.setTimeout;
  const patched = (...args: Parameters<typeof setTimeout>) => {
    const timer = original(...args);
    timer.unref?.();
    return timer;
  };
  globalThis.setTimeout = Object.assign(patched, original) as typeof setTimeout;
  try {
    return await work();
  } finally {
    globalThis.setTimeout = original;
  }
}

/** Runs `work` with a schema engine bound to `factory`, then frees it. */
export async function withSchemaEngine<T>(
  factory: SqlMigrationAwareDriverAdapterFactory,
  schema: { path: string; content: string },
  work: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  await loadWasm();
  return withUnrefTimers(async () => {
    const log = process.env.DEBUG_SCHEMA_ENGINE ? (line: string) => console.error(line) : () => {};
    const engine = (await bg.SchemaEngine.new(
      { datamodels: [[schema.path, schema.content]] },
      log,
      bindMigrationAwareSqlAdapterFactory(factory),
    )) as unknown as SchemaEngine;
    try {
      return await work(engine);
    } finally {
      engine.free();
    }
  });
}

export async function readSchema(schemaPath = SCHEMA_PATH): Promise<{ path: string; content: string }> {
  return { path: schemaPath, content: await readFile(schemaPath, 'utf8') };
}

/** The migrations folder in the shape the engine takes (what the CLI reads). */
export async function readMigrationsList(dir = MIGRATIONS_DIR): Promise<MigrationList> {
  const entries = await readdir(dir, { withFileTypes: true });
  const folders = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const lockContent = await readFile(path.join(dir, LOCKFILE), 'utf8').catch(() => null);
  return {
    baseDir: dir,
    lockfile: { path: LOCKFILE, content: lockContent },
    shadowDbInitScript: '',
    migrationDirectories: await Promise.all(
      folders.map(async (folder) => {
        const file = path.join(dir, folder, 'migration.sql');
        const content = await readFile(file, 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (error: Error) => ({ tag: 'error' as const, value: error.message }),
        );
        return { path: folder, migrationFile: { path: 'migration.sql', content } };
      }),
    ),
  };
}

const NO_FILTERS = { externalTables: [], externalEnums: [] };

/** `prisma migrate deploy`: applies pending migrations, returns their names. */
export async function applyMigrations(
  factory: SqlMigrationAwareDriverAdapterFactory,
  migrationsDir = MIGRATIONS_DIR,
): Promise<string[]> {
  const schema = await readSchema();
  const migrationsList = await readMigrationsList(migrationsDir);
  return withSchemaEngine(factory, schema, async (engine) => {
    const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: NO_FILTERS });
    return appliedMigrationNames;
  });
}

/**
 * `prisma migrate diff --from-migrations <dir> --to-schema <schema> --script`:
 * replays the migrations on the factory's shadow database and returns the SQL
 * that would bring them to the schema ('' when they already match).
 */
export async function diffMigrationsToSchema(
  factory: SqlMigrationAwareDriverAdapterFactory,
  options: { migrationsDir?: string; schemaPath?: string } = {},
): Promise<string> {
  const schema = await readSchema(options.schemaPath);
  const migrationsList = await readMigrationsList(options.migrationsDir);
  return withSchemaEngine(factory, schema, async (engine) => {
    const result = await engine.diff({
      from: { tag: 'migrations', ...migrationsList },
      to: { tag: 'schemaDatamodel', files: [schema] },
      script: true,
      exitCode: null,
      filters: NO_FILTERS,
    });
    return normaliseScript(result.stdout ?? '');
  });
}

/** An empty diff comes back as a comment; treat it as nothing. */
function normaliseScript(script: string): string {
  const meaningful = script.split('\n').filter((line) => line.trim() !== '' && !line.trim().startsWith('--'));
  return meaningful.length === 0 ? '' : script.trim() + '\n';
}
