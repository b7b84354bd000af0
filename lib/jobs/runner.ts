import 'server-only';
import type PgBoss from 'pg-boss';
import { runVerification, signCheckpoint } from '@/lib/audit/integrity';
import { keepPartitionsAhead } from '@/lib/audit/partitions';
import { runRegistryCheck } from '@/lib/audit/registry-check';
import { foldTallies } from '@/lib/dashboard/tallies';
import { getDb } from '@/lib/db';
import { expireDueDelegations } from '@/lib/delegation/commands';
import { getEnv } from '@/lib/env';
import { expireDueExceptions, lapseDueRequests } from '@/lib/exceptions/commands';
import { deliverDue } from '@/lib/notifications/deliver';
import { oweDue } from '@/lib/notifications/due';
import { log } from '@/lib/ops/logger';
import { syncFindings } from '@/lib/policy/trend';
import { openScheduledReviews } from '@/lib/reviews/scheduler';
import { newBoss } from './boss';
import { QUEUES, type QueueName } from './queues';

const FINDINGS_SYNC_MS = 15 * 60_000;

/**
 * One job per queue per time slot (as long as the interval, aligned to the clock), whoever sends it: instances that
 * start together, or a watchdog asking while the next run already waits, ask for the same one. The next run starts
 * with the next slot.
 */
const slot = (q: { name: string; everySeconds: number }, which: 'this' | 'next' = 'next') => ({
  singletonKey: q.name,
  singletonSeconds: q.everySeconds,
  singletonNextSlot: which === 'next',
});

/** What each queue's job does. Each is safe to run twice; the queue sees that it seldom is. */
const WORK: Record<QueueName, () => Promise<unknown>> = {
  expiry: async () => {
    // One after the other (both lock agents), each whatever the other did: a failure holds nothing back.
    const failures: unknown[] = [];
    for (const sweep of [expireDueExceptions, expireDueDelegations]) await sweep().catch((e) => failures.push(e));
    if (failures.length > 0) throw failures[0];
  },
  'exception-lapse': () => lapseDueRequests(),
  notifications: () => deliverDue(),
  'notify-due': () => oweDue(),
  'audit-checkpoint': () => signCheckpoint(),
  'scheduled-reviews': () => openScheduledReviews(),
  // The dashboard's tallies are folded with it: both are what the dashboard reads.
  'findings-sync': async () => {
    await syncFindings(getDb(), new Date(), { unlessWithinMs: FINDINGS_SYNC_MS / 2 });
    await foldTallies(getDb());
  },
  'audit-partitions': () => keepPartitionsAhead(getDb()),
  'chain-verification': () => runVerification(getDb(), null, 'incremental'),
  'registry-check': () => runRegistryCheck(),
};

/**
 * Works every queue on this instance. Cron queues are scheduled (pg-boss sends each minute's job from one instance);
 * the others ask for their next run after each success, and a watchdog asks once a minute for any that has none
 * waiting (after a dead-lettered failure, or at start) — the queue keeps one waiting, whoever asks.
 */
export async function startJobs(boss: PgBoss, work: Partial<typeof WORK> = WORK): Promise<() => Promise<void>> {
  const every = QUEUES.filter(
    (q): q is Extract<(typeof QUEUES)[number], { everySeconds: number }> => 'everySeconds' in q,
  );
  for (const q of QUEUES) {
    const run = work[q.name];
    if (!run) continue;
    await boss.work(q.name, { pollingIntervalSeconds: 2 }, async () => {
      await run();
      if ('everySeconds' in q) await boss.send(q.name, { queue: q.name }, { ...slot(q), startAfter: q.everySeconds });
    });
    if ('cron' in q) await boss.schedule(q.name, q.cron, { queue: q.name }, { tz: 'UTC' });
  }
  // A queue with a run being retried (or running) is left alone: its retry is the next run, with its backoff.
  const ensure = async () => {
    const busy = new Set(
      (
        await getDb().$queryRaw<{ name: string }[]>`SELECT DISTINCT "name" FROM pgboss.job
          WHERE "name" = ANY(${every.map((q) => q.name)}::text[]) AND "state" IN ('retry', 'active')`
      ).map((r) => r.name),
    );
    for (const q of every) {
      if (work[q.name] && !busy.has(q.name)) await boss.send(q.name, { queue: q.name }, slot(q, 'this'));
    }
  };
  await ensure();
  // A server that starts on stale findings syncs at once (the job itself skips a sync made moments ago).
  if (work['findings-sync']) await boss.send('findings-sync', { queue: 'findings-sync' });
  const watchdog = setInterval(() => {
    ensure().catch((error: unknown) => log.error({ err: error }, 'job watchdog'));
  }, 60_000);
  watchdog.unref();
  return async () => {
    clearInterval(watchdog);
    // A running job gets 20 s to finish (pg-boss fails it after that), inside the 25 s a SIGTERM drain allows
    // (lib/ops/shutdown.ts), so the pool closes after it, not under it.
    await boss.stop({ graceful: true, wait: true, timeout: 20_000 });
  };
}

const holder = globalThis as {
  __custodianJobs?: true;
  /** The jobs as they stand: starting (or waiting to retry), or running with their stop. */
  __custodianJobsState?: { stopping: boolean; starting: Promise<void> | null; stop: (() => Promise<void>) | null };
};

/**
 * Stops this server's jobs: no new job is taken, the running one finishes (at most 10 s). A start under way is
 * awaited and then stopped; a retry still waiting never starts.
 */
export async function stopBackgroundJobs(): Promise<void> {
  const jobs = holder.__custodianJobsState;
  if (!jobs) return;
  jobs.stopping = true;
  await jobs.starting;
  const stop = jobs.stop;
  jobs.stop = null;
  await stop?.();
}

/**
 * The web server's jobs (the default: zero setup). With CUSTODIAN_JOBS=worker they run in `npm run worker` instead.
 * A queue that cannot start never stops the server from serving: it says why in the log and tries again, backing off
 * to every 5 minutes (a database still starting, migrations not yet run).
 */
export function startBackgroundJobs(): void {
  if (holder.__custodianJobs || getEnv().CUSTODIAN_JOBS === 'worker') return;
  holder.__custodianJobs = true;
  const jobs: NonNullable<typeof holder.__custodianJobsState> = { stopping: false, starting: null, stop: null };
  holder.__custodianJobsState = jobs;
  const attempt = (retryInMs: number) => {
    if (jobs.stopping) return;
    const boss = newBoss();
    boss.on('error', (error) => log.error({ err: error }, 'job queue'));
    jobs.starting = boss
      .start()
      .then(() => startJobs(boss))
      .then((stop) => {
        jobs.stop = stop;
      })
      .catch(async (error: unknown) => {
        log.error(
          { err: error },
          `background jobs did not start (has npm run db:migrate run?); again in ${retryInMs / 1000} s`,
        );
        await boss.stop({ graceful: false, wait: false }).catch(() => {});
        setTimeout(() => attempt(Math.min(retryInMs * 2, 300_000)), retryInMs).unref();
      })
      .finally(() => {
        jobs.starting = null;
      });
  };
  attempt(15_000);
}
