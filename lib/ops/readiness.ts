import 'server-only';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadSigningKey } from '@/lib/audit/signing';
import { getDb, poolOf, type Db } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { log } from './logger';
import { within } from './within';

/**
 * Whether this instance can serve: what a load balancer asks before sending it traffic. Public, so it says what is
 * wrong without naming configuration (which migrations, and why a key fails, go to the log).
 */
export type Readiness = {
  ready: boolean;
  database: 'reachable' | 'unreachable';
  /** How many migrations this build ships that the database has not applied (null: the build's list is missing). */
  pendingMigrations: number | null;
  /** Only when AUDIT_REQUIRE_SIGNING=true: whether the key loads. */
  signingKey?: 'present' | 'missing';
  /** Set while the instance drains after SIGTERM: it finishes what it holds and takes nothing new. */
  shuttingDown: boolean;
};

const state = globalThis as {
  __custodianShuttingDown?: boolean;
  __custodianReadiness?: { at: number; answer: Promise<Readiness> };
};

/** From SIGTERM on, readiness fails so the balancer stops sending; liveness stays up until the process exits. */
export function markShuttingDown(): void {
  state.__custodianShuttingDown = true;
  state.__custodianReadiness = undefined;
}

/** The migration folders this build ships (next start runs from the project root, as npm scripts do). */
export async function shippedMigrations(dir = path.join(process.cwd(), 'prisma', 'migrations')): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

/** Applied migrations; none when the bookkeeping table does not exist yet (an empty database). */
async function appliedMigrations(db: Db): Promise<Set<string>> {
  const [table] = await db.$queryRaw<{ exists: boolean }[]>`
    SELECT to_regclass('"_prisma_migrations"') IS NOT NULL AS "exists"`;
  if (!table?.exists) return new Set();
  const rows = await db.$queryRaw<{ migration_name: string }[]>`SELECT "migration_name" FROM "_prisma_migrations"
    WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
  return new Set(rows.map((r) => r.migration_name));
}

/** How long an answer is reused: probes from every balancer (or a flood) cost one check a second, not one each. */
const FRESH_MS = 1_000;

/** Reads every input afresh (at most once a second): a key file removed or a migration rolled back shows at once. */
export function readiness(db: Db = getDb()): Promise<Readiness> {
  const cached = state.__custodianReadiness;
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.answer;
  const answer = check(db);
  state.__custodianReadiness = { at: Date.now(), answer };
  return answer;
}

async function check(db: Db): Promise<Readiness> {
  const shuttingDown = state.__custodianShuttingDown === true;
  const signingKey = getEnv().AUDIT_REQUIRE_SIGNING === 'true' ? signingKeyState() : undefined;
  let database: Readiness['database'] = 'reachable';
  let pendingMigrations: number | null = null;
  try {
    const shipped = await shippedMigrations();
    // A server that drops packets would hold the probe for the pool's 30 s: after 2 s it is unreachable. Not the
    // embedded database: its one connection may be busy with an import's transaction, which is no outage.
    const migrations = appliedMigrations(db);
    const applied = await (poolOf(db) ? within(migrations, 2_000, 'readiness') : migrations).catch((error: unknown) => {
      database = 'unreachable';
      log.error({ err: error }, 'readiness: the database did not answer');
      return null;
    });
    if (applied) {
      const pending = shipped.filter((name) => !applied.has(name));
      pendingMigrations = pending.length;
      if (pending.length > 0) log.warn({ pending }, 'readiness: migrations not applied (npm run db:migrate)');
    }
  } catch (error) {
    log.error({ err: error }, 'readiness: the build ships no prisma/migrations folder where the server runs');
  }
  const ready = database === 'reachable' && pendingMigrations === 0 && signingKey !== 'missing' && !shuttingDown;
  return { ready, database, pendingMigrations, ...(signingKey ? { signingKey } : {}), shuttingDown };
}

function signingKeyState(): 'present' | 'missing' {
  try {
    if (loadSigningKey()) return 'present';
    log.error('readiness: AUDIT_REQUIRE_SIGNING=true and no signing key is configured');
  } catch (error) {
    log.error({ err: error }, 'readiness: the signing key does not load');
  }
  return 'missing';
}
