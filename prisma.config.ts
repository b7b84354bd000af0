import { defineConfig } from 'prisma/config';

// Used by `prisma generate` only. Migrations run through the offline WASM
// schema engine (prisma/schema-engine.ts), which reads DATABASE_URL itself.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
