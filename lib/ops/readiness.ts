import 'server-only';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadSigningKey } from '@/lib/audit/signing';
import { getDb, type Db } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { Prisma } from '@/lib/generated/prisma/client';

/** Whether this instance can serve: what a load balancer asks before sending it traffic. */
export type Readiness = {
  ready: boolean;
  database: 'reachable' | 'unreachable';
  /** Migrations this build ships that the database has not applied (all of them when it has none). */
  pendingMigrations: string[];
  signingKey: 'present' | 'missing' | 'not required';
  /** Set while the instance drains after SIGTERM: it finishes what it holds and takes nothing new. */
  shuttingDown: boolean;
};

const shutdown = globalThis as { __custodianShuttingDown?: boolean };

/** From SIGTERM on, readiness fails so the balancer stops sending; liveness stays up until the process exits. */
export function markShuttingDown(): void {
  shutdown.__custodianShuttingDown = true;
}

/** The migration folders this build ships (next start runs from the project root, as npm scripts do). */
export async function shippedMigrations(dir = path.join(process.cwd(), 'prisma', 'migrations')): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

async function appliedMigrations(db: Db): Promise<Set<string>> {
  try {
    const rows = await db.$queryRaw<{ migration_name: string }[]>`SELECT "migration_name" FROM "_prisma_migrations"
      WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;
    return new Set(rows.map((r) => r.migration_name));
  } catch (error) {
    // No bookkeeping table yet: nothing is applied. Anything else is the database's trouble, said by the caller.
    if (error instanceof Prisma.PrismaClientKnownRequestError && /_prisma_migrations/.test(error.message)) {
      return new Set();
    }
    throw error;
  }
}

/** Reads every input now: a key file removed or a migration rolled back since start shows at the next ask. */
export async function readiness(db: Db = getDb()): Promise<Readiness> {
  const required = getEnv().AUDIT_REQUIRE_SIGNING === 'true';
  const signingKey = required ? (signingKeyLoads() ? 'present' : 'missing') : 'not required';
  const shuttingDown = shutdown.__custodianShuttingDown === true;
  const shipped = await shippedMigrations();
  let database: Readiness['database'] = 'reachable';
  let pendingMigrations: string[] = [];
  try {
    const applied = await appliedMigrations(db);
    pendingMigrations = shipped.filter((name) => !applied.has(name));
  } catch {
    database = 'unreachable';
  }
  const ready = database === 'reachable' && pendingMigrations.length === 0 && signingKey !== 'missing' && !shuttingDown;
  return { ready, database, pendingMigrations, signingKey, shuttingDown };
}

function signingKeyLoads(): boolean {
  try {
    return loadSigningKey() !== null;
  } catch {
    return false;
  }
}
