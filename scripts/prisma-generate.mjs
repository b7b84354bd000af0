// `prisma generate` without the internet: Prisma's CLI downloads the native
// schema engine first unless PRISMA_SCHEMA_ENGINE_BINARY names an existing
// file. Generation itself never uses that engine, so any file will do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const engine = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
const env = { ...process.env };
if (!engine || !existsSync(engine)) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;

const result = spawnSync('npx', ['--no-install', 'prisma', 'generate'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
