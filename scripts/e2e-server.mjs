// The app the end-to-end tests drive: migrate and seed the database, build,
// then serve on loopback. Without DATABASE_URL it uses a throw-away embedded
// database in .data/e2e, fresh each run.
import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const port = process.argv[2] ?? '3100';
// Production build with demo sign-in explicitly on, a per-run session secret.
const env = {
  // The journeys' output stays readable: a line per request only when asked for (LOG_LEVEL=info).
  LOG_LEVEL: 'warn',
  ...process.env,
  NEXT_TELEMETRY_DISABLED: '1',
  AUTH_DEMO: 'true',
  // e2e/hostile.spec.ts marks its token exempt from the rate limit; only a server started so honours that.
  CUSTODIAN_TEST_RATE_EXEMPTION: 'on',
  NEXTAUTH_URL: `http://127.0.0.1:${port}`,
  NEXTAUTH_SECRET: randomBytes(32).toString('hex'),
  // Single sign-on against the OpenID Connect provider e2e/oidc.spec.ts starts.
  OIDC_ISSUER: `http://127.0.0.1:${process.env.E2E_OIDC_PORT ?? 3101}`,
  OIDC_CLIENT_ID: 'custodian-e2e',
  OIDC_CLIENT_SECRET: 'e2e-client-secret-not-a-real-one',
  OIDC_SCOPES: 'openid email profile groups',
  OIDC_ROLE_CLAIM: 'groups',
  OIDC_ROLE_MAP: 'sec-leads:ADMIN,pam:PAM_APPROVER,auditors:AUDITOR,agent-owners:OWNER',
  // E-mail through the SMTP server e2e/notifications.spec.ts starts (until then, deliveries fail and are retried).
  SMTP_HOST: '127.0.0.1',
  SMTP_PORT: process.env.E2E_SMTP_PORT ?? '3102',
  SMTP_FROM: 'Custodian <custodian@example.com>',
};
// As in production, the audit record is signed: one key kept in .data/e2e-keys (reused, so a database kept between
// runs stays verifiable), its public half where the journeys that verify an evidence pack offline read it.
const keys = path.resolve('.data/e2e-keys');
const privateFile = path.join(keys, 'audit-signing-key.pem');
if (!existsSync(privateFile)) {
  mkdirSync(keys, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  writeFileSync(privateFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(path.join(keys, 'audit-public-key.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
}
env.AUDIT_SIGNING_KEY = `file:${privateFile}`;

if (env.DATABASE_URL) {
  // As in production: migrations as the owner, the app as a role that owns nothing (created by prepare-db).
  const app = new URL(env.DATABASE_URL);
  app.username = 'custodian_e2e_app';
  app.password = randomBytes(16).toString('hex');
  env.MIGRATION_DATABASE_URL = env.DATABASE_URL;
  env.DATABASE_URL = app.toString();
} else {
  env.PGLITE_DIR = '.data/e2e';
  rmSync('.data/e2e', { recursive: true, force: true });
  rmSync('.data/e2e.lock', { force: true });
}

function run(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('node', ['--conditions=react-server', '--import', 'tsx', 'scripts/prepare-db.ts', '--seed']);
// Built like a container image: no secret, no key, no database in the build's
// environment (secrets are read when a request needs them), so CI proves it.
const SECRETS = [
  'NEXTAUTH_SECRET',
  'OIDC_CLIENT_SECRET',
  'AUDIT_SIGNING_KEY',
  'DATABASE_URL',
  'MIGRATION_DATABASE_URL',
];
const buildEnv = Object.fromEntries(Object.entries(env).filter(([name]) => !SECRETS.includes(name)));
if (!process.env.E2E_SKIP_BUILD) {
  const build = spawnSync('npx', ['--no-install', 'next', 'build'], {
    stdio: 'inherit',
    env: { ...buildEnv, NODE_ENV: 'production' },
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
const server = spawn('npx', ['--no-install', 'next', 'start', '-H', '127.0.0.1', '-p', port], {
  stdio: 'inherit',
  env,
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code) => process.exit(code ?? 0));
