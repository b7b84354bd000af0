import 'server-only';
import { runVerification, signCheckpoint } from '@/lib/audit/integrity';
import { getDb } from '@/lib/db';
import { expireDueDelegations } from '@/lib/delegation/commands';
import { expireDueExceptions, lapseDueRequests } from '@/lib/exceptions/commands';
import { syncFindings } from '@/lib/policy/trend';
import { openScheduledReviews } from '@/lib/reviews/scheduler';

// Work that runs on a schedule inside each server process. Every job is safe
// to run from several instances at once, so nothing coordinates them.
// `firstAfterMs`: how long after start the first run waits. Heavy jobs wait a
// full interval, so restarting servers does not rerun them.
const FINDINGS_SYNC_MS = 15 * 60_000;

const JOBS = [
  // Exceptions and delegation grants end in the same sweep, each exactly once.
  {
    name: 'expiry',
    everyMs: 30_000,
    firstAfterMs: 0,
    run: async () => {
      // One after the other (both lock agents), each whatever the other did: a failure holds nothing back.
      const failures: unknown[] = [];
      for (const sweep of [expireDueExceptions, expireDueDelegations]) await sweep().catch((e) => failures.push(e));
      if (failures.length > 0) throw failures[0];
    },
  },
  { name: 'exception lapse', everyMs: 30_000, firstAfterMs: 0, run: () => lapseDueRequests() },
  { name: 'scheduled reviews', everyMs: 10 * 60_000, firstAfterMs: 60_000, run: () => openScheduledReviews() },
  // A numbered checkpoint a minute, written to the witness, bounds what a rollback of the database could hide; it
  // signs nothing when the head has not moved.
  { name: 'audit checkpoint', everyMs: 60_000, firstAfterMs: 0, run: () => signCheckpoint() },
  // Also what the findings page and the dashboard read: a server that starts on stale findings syncs at once.
  {
    name: 'findings sync',
    everyMs: FINDINGS_SYNC_MS,
    firstAfterMs: 0,
    run: () => syncFindings(getDb(), new Date(), { unlessWithinMs: FINDINGS_SYNC_MS / 2 }),
  },
  {
    name: 'chain verification',
    everyMs: 24 * 60 * 60_000,
    firstAfterMs: 24 * 60 * 60_000,
    run: () => runVerification(getDb(), null),
  },
];

const holder = globalThis as { __custodianJobs?: NodeJS.Timeout[] };

/** Starts every job once per process: first after `firstAfterMs`, then on its interval. */
export function startBackgroundJobs(): void {
  if (holder.__custodianJobs) return;
  holder.__custodianJobs = JOBS.map(({ name, everyMs, firstAfterMs, run }) => {
    const tick = () => run().catch((error: unknown) => console.error(`${name} job failed; retrying next run`, error));
    const timer = setInterval(tick, everyMs);
    timer.unref();
    if (firstAfterMs === 0) void tick();
    else setTimeout(tick, firstAfterMs).unref();
    return timer;
  });
}
