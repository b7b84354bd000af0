import 'server-only';
import { disconnectDb } from '@/lib/db';
import { stopBackgroundJobs } from '@/lib/jobs/runner';
import { log } from './logger';
import { markShuttingDown } from './readiness';

/** However long the drain takes, the process is gone this long after the signal (orchestrators kill at 30 s). */
const DEADLINE_MS = 25_000;

const holder = globalThis as { __custodianDrain?: true; __custodianDraining?: true };

/**
 * Graceful shutdown of a `next start` instance on SIGTERM (and SIGINT). Next.js's own handler stops taking
 * connections, lets the requests in flight finish, then exits; this one runs first: readiness fails at once (the load
 * balancer stops sending), the background jobs take nothing new, and Next.js's exit waits until the running job has
 * finished and the database pool is closed.
 */
export function drainOnShutdown(): void {
  if (holder.__custodianDrain) return;
  holder.__custodianDrain = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.prependOnceListener(signal, () => drain(signal));
}

function drain(signal: NodeJS.Signals) {
  // One drain, whichever signals come (Ctrl-C after a SIGTERM, or both from a supervisor).
  if (holder.__custodianDraining) return;
  holder.__custodianDraining = true;
  markShuttingDown();
  log.info({ signal }, `${signal}: draining — finishing requests in flight and the running job, taking nothing new`);
  const jobs = stopBackgroundJobs().catch((error: unknown) => log.error({ err: error }, 'jobs did not stop cleanly'));
  const exit = process.exit.bind(process);
  let exiting = false;
  // Next.js calls exit once its server has closed; the exit waits for the jobs, then the pool.
  process.exit = ((code?: number) => {
    if (exiting) return undefined as never;
    exiting = true;
    void jobs
      .then(() => disconnectDb())
      .catch((error: unknown) => log.error({ err: error }, 'the database pool did not close cleanly'))
      .finally(() => exit(code));
    return undefined as never;
  }) as typeof process.exit;
  setTimeout(() => {
    log.error({ signal }, `still draining ${DEADLINE_MS / 1000} s after ${signal}: exiting`);
    exit(1);
  }, DEADLINE_MS).unref();
}
