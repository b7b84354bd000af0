import 'server-only';
import { z } from 'zod';

// The process environment, parsed once. Nothing else reads process.env.
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  CI: z
    .string()
    .optional()
    .transform((value) => value === 'true' || value === '1'),
  // A real PostgreSQL server. Unset: the embedded PGlite database in PGLITE_DIR.
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// or postgresql:// URL')
    .optional(),
  PGLITE_DIR: z.string().default('.data/pglite'),
});

export type Env = z.infer<typeof EnvSchema>;

let cached: Env | undefined;

export function getEnv(): Env {
  if (cached) return cached;
  const parsed = EnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid environment: ${problems}`);
  }
  cached = parsed.data;
  return cached;
}

/** Tests switch databases between files; they reset the cache with this. */
export function resetEnvCache(): void {
  cached = undefined;
}
