// `npm run db:migration -- <name>`: writes the next migration folder, the SQL
// that takes the migrations folder (replayed on a shadow database) to
// prisma/schema.prisma. Like `prisma migrate dev --create-only`, offline.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { diffMigrationsToSchema, MIGRATIONS_DIR, SCHEMA_PATH } from './schema-engine';
import { withShadowTarget } from './shadow';

export async function createMigration(
  name: string,
  options: { migrationsDir?: string; schemaPath?: string; now?: Date } = {},
): Promise<{ folder: string; sql: string } | null> {
  if (!/^[a-z0-9_]+$/.test(name)) {
    throw new Error(`Migration name "${name}" must be lower-case letters, digits and underscores.`);
  }
  const migrationsDir = options.migrationsDir ?? MIGRATIONS_DIR;
  const sql = await withShadowTarget((target) =>
    diffMigrationsToSchema(target.factory, { migrationsDir, schemaPath: options.schemaPath ?? SCHEMA_PATH }),
  );
  if (sql === '') return null;
  const stamp = (options.now ?? new Date()).toISOString().replace(/\D/g, '').slice(0, 14);
  const folder = path.join(migrationsDir, `${stamp}_${name}`);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'migration.sql'), sql);
  return { folder, sql };
}

async function main() {
  const name = process.argv[2];
  if (!name) {
    console.error('Usage: npm run db:migration -- <name>   (e.g. add_agent_tags)');
    process.exit(2);
  }
  const created = await createMigration(name);
  if (!created) {
    console.log('No changes: the migrations folder already matches prisma/schema.prisma.');
    return;
  }
  console.log(`Wrote ${path.relative(process.cwd(), created.folder)}/migration.sql:\n\n${created.sql}`);
}

if (import.meta.filename === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
