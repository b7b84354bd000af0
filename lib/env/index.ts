import 'server-only';
import { z } from 'zod';
import { SecretRef } from '@/lib/secrets/secret-ref';

// The process environment, parsed once. Nothing else reads process.env.
const EnvSchema = z
  .object({
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
    // The owner role migrations run as; DATABASE_URL then names the application role, which owns nothing (see
    // lib/db/roles.ts). Unset: one role does both (the embedded database, development).
    MIGRATION_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'MIGRATION_DATABASE_URL must be a postgres:// or postgresql:// URL')
      .optional(),
    // A streaming replica of DATABASE_URL's server (same database, same roles). Reads that tolerate a little lag go
    // there (lib/db/replica.ts) while it is at most DATABASE_REPLICA_MAX_LAG_SECONDS behind; everything else stays on
    // the primary.
    DATABASE_REPLICA_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'DATABASE_REPLICA_URL must be a postgres:// or postgresql:// URL')
      .optional(),
    DATABASE_REPLICA_MAX_LAG_SECONDS: z.coerce
      .number('DATABASE_REPLICA_MAX_LAG_SECONDS is a number of seconds')
      .min(0)
      .max(86_400)
      .default(30),
    PGLITE_DIR: z.string().default('.data/pglite'),
    // Who works the background jobs: each web server (the default), or `npm run worker` alone.
    CUSTODIAN_JOBS: z.enum(['web', 'worker'], 'CUSTODIAN_JOBS is web or worker').default('web'),
    // `off` behind a proxy that compresses (next.config.ts reads it at start): Node's gzip costs the render CPU.
    CUSTODIAN_COMPRESS: z.enum(['on', 'off'], 'CUSTODIAN_COMPRESS is on or off').default('on'),
    // Where the issuance gate's own server (`npm run gate`) listens.
    GATE_HOST: z.string().min(1).default('127.0.0.1'),
    GATE_PORT: z.coerce
      .number('GATE_PORT is a port number')
      .int('GATE_PORT is a port number')
      .min(1, 'GATE_PORT is a port number from 1 to 65535')
      .max(65_535, 'GATE_PORT is a port number from 1 to 65535')
      .default(3100),
    // next-auth signs session cookies with this. Required in production; in
    // development a random one is kept in .data/ (see lib/auth/secret.ts).
    NEXTAUTH_SECRET: z.string().min(32, 'NEXTAUTH_SECRET must be at least 32 characters').optional(),
    NEXTAUTH_URL: z.url().optional(),
    // Extra origins allowed to post server actions (behind a proxy), comma-separated hosts.
    SERVER_ACTIONS_ALLOWED_ORIGINS: z.string().optional(),
    // Demo sign-in (pick a seeded person). Default: on when no OIDC provider is
    // configured and not in production. Never silently on in production.
    AUTH_DEMO: z.enum(['true', 'false']).optional(),
    OIDC_ISSUER: z.url().optional(),
    OIDC_CLIENT_ID: z.string().optional(),
    OIDC_CLIENT_SECRET: z.string().optional(),
    OIDC_NAME: z.string().optional(),
    OIDC_SCOPES: z.string().default('openid email profile'),
    // Roles from a claim of the ID token (e.g. groups) mapped to Custodian roles;
    // unset: roles are granted in Custodian by an ADMIN.
    OIDC_ROLE_CLAIM: z.string().optional(),
    OIDC_ROLE_MAP: z.string().optional(),
    // Where the Ed25519 key that signs audit checkpoints is: a reference (file:/path or env:NAME), never the PEM.
    AUDIT_SIGNING_KEY: SecretRef.optional(),
    // true: refuse to start without a signing key (production should).
    AUDIT_REQUIRE_SIGNING: z.enum(['true', 'false']).optional(),
    // After a rotation: references (file:/…, env:…) to the earlier public keys, comma-separated.
    AUDIT_PREVIOUS_PUBLIC_KEYS: z.string().optional(),
    // Where each signed checkpoint is also written, outside the database: a JSON-lines file and/or an HTTPS endpoint
    // (with AUDIT_WITNESS_TOKEN, a reference, as its bearer token).
    AUDIT_WITNESS_FILE: z.string().min(1).optional(),
    // HTTPS, but for a witness on this machine: its token and what it answers cross the network otherwise.
    AUDIT_WITNESS_URL: z
      .url({ protocol: /^https?$/ })
      .refine((u) => u.startsWith('https:') || /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(u), {
        message: 'Use https (http only for a witness on this machine: 127.0.0.1, localhost or [::1]).',
      })
      .optional(),
    AUDIT_WITNESS_TOKEN: SecretRef.optional(),
    // E-mail notifications go through this SMTP server; unset, e-mails are skipped (the delivery log says so).
    SMTP_HOST: z.string().min(1).optional(),
    SMTP_PORT: z.coerce.number('SMTP_PORT is a port number').int().min(1).max(65535).default(587),
    // true: TLS from the first byte (port 465); otherwise STARTTLS whenever the server offers it.
    SMTP_SECURE: z.enum(['true', 'false'], 'SMTP_SECURE is true or false').default('false'),
    SMTP_USER: z.string().min(1).optional(),
    // A reference (env:NAME, file:/path) to the SMTP password, never the password.
    SMTP_PASSWORD: SecretRef.optional(),
    SMTP_FROM: z.string().min(3).default('Custodian <custodian@localhost>'),
    // Webhook targets on loopback, link-local or private addresses are refused unless inside one of these ranges
    // (comma-separated CIDR, e.g. 10.20.0.0/16): an operator's choice, not a form's.
    CUSTODIAN_WEBHOOK_ALLOW_PRIVATE: z.string().optional(),
    // The directory notification endpoints' file: references must lie under (unset: only env:NOTIFY_… references).
    NOTIFY_SECRETS_DIR: z.string().optional(),
    // Set only by scripts/e2e-server.mjs: honour ApiToken.rateLimitExempt (the hostile-input suite's token).
    CUSTODIAN_TEST_RATE_EXEMPTION: z.literal('on').optional(),
  })
  .refine((env) => !env.DATABASE_REPLICA_URL || env.DATABASE_URL, {
    path: ['DATABASE_REPLICA_URL'],
    message: 'a replica needs its primary: set DATABASE_URL too',
  })
  .refine((env) => env.CUSTODIAN_JOBS !== 'worker' || env.DATABASE_URL, {
    path: ['CUSTODIAN_JOBS'],
    message: 'worker leaves the jobs to npm run worker, which needs DATABASE_URL: set both, or neither',
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
