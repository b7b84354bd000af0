import { spawn } from 'node:child_process';
import { PGlite } from '@electric-sql/pglite';
import PgBoss from 'pg-boss';
import { beforeAll, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { ensureApplicationRole } from '@/lib/db/roles';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { installJobQueues, newBoss, pgliteAdapter } from './boss';
import { DEAD_LETTER, JOB_SCHEMA } from './queues';
import { startJobs } from './runner';
import { jobStatuses } from './status';

const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describeWithPostgresServer('background jobs on a queue', () => {
  beforeAll(async () => {
    // As db:migrate does: the queues installed by the owner, then the application role granted what it may do.
    await installJobQueues();
    await ensureApplicationRole(process.env.MIGRATION_DATABASE_URL!, process.env.DATABASE_URL!);
  });

  it('a job that three instances schedule at once runs once, worked by whichever is free', async () => {
    let runs = 0;
    // Slots are 30 seconds on the clock: instances asking either side of a boundary ask for two slots (two runs, both
    // harmless). Start well inside one, as the assertion counts runs of a single slot.
    const into = Date.now() % 30_000;
    if (into > 20_000) await settle(30_000 - into + 500);
    // Three instances as three processes are: each its own pool, as the application role.
    const bosses = [newBoss(), newBoss(), newBoss()];
    const stops = await Promise.all(
      bosses.map(async (boss) => {
        await boss.start();
        return startJobs(boss, {
          'exception-lapse': async () => {
            runs++;
            await settle(200);
          },
        });
      }),
    );
    await settle(5_000);
    await Promise.all(stops.map((stop) => stop()));
    expect(runs).toBe(1);
    // The next run waits (once), 30 seconds after the run that finished.
    const [boss] = bosses;
    const check = newBoss();
    await check.start();
    const waiting = await check.getQueueSize('exception-lapse');
    await check.stop({ graceful: false, wait: true });
    expect(waiting).toBe(1);
    expect(boss).toBeDefined();
  }, 60_000);

  it('stopping (as a SIGTERM drain does) takes no new job and waits for the running one to finish', async () => {
    const log: string[] = [];
    const boss = newBoss();
    await boss.start();
    const stop = await startJobs(boss, {
      notifications: async () => {
        log.push('started');
        // Longer than pg-boss's 10 s default wait: a drain gives a running job most of its 25 s.
        await settle(12_000);
        log.push('finished');
      },
    });
    // The job is running when the stop comes.
    for (let i = 0; i < 100 && !log.includes('started'); i++) await settle(100);
    expect(log).toEqual(['started']);
    await stop();
    log.push('stopped');
    expect(log).toEqual(['started', 'finished', 'stopped']);
    // Nothing was taken after the stop.
    await settle(3_000);
    expect(log).toEqual(['started', 'finished', 'stopped']);
  }, 60_000);

  it('three `npm run worker` processes run each slot of a scheduled job once', async () => {
    const workers = [0, 1, 2].map(() =>
      spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], {
        env: { ...process.env, CUSTODIAN_JOBS: 'worker' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const ready = workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('working every queue') && resolve());
          w.once('exit', (code) => reject(new Error(`a worker exited with ${code} before it started`)));
        }),
    );
    try {
      await Promise.all(ready);
      // Long enough for the 5-second notification job's slots to pass several times under all three.
      await settle(16_000);
    } finally {
      await Promise.all(
        workers.map(
          (w) =>
            new Promise((resolve) =>
              w.exitCode === null ? (w.once('exit', resolve), w.kill('SIGTERM')) : resolve(null),
            ),
        ),
      );
    }
    const slots = await getDb().$queryRaw<{ slot: Date; runs: number }[]>`
      SELECT "singleton_on" AS "slot", count(*)::int AS "runs" FROM pgboss.job
      WHERE "name" = 'notifications' AND "state" = 'completed' GROUP BY 1 ORDER BY 1`;
    expect(slots.length).toBeGreaterThanOrEqual(2);
    expect(slots.filter((s) => s.runs > 1)).toEqual([]);
  }, 120_000);

  it('a cron job is sent and worked as the application role (pg-boss’s cron queue installed for it)', async () => {
    let runs = 0;
    const boss = newBoss({ cronMonitorIntervalSeconds: 1, cronWorkerIntervalSeconds: 1 });
    await boss.start();
    const stop = await startJobs(boss, {
      'chain-verification': async () => {
        runs++;
      },
    });
    // Every minute instead of nightly, so the test sees it sent within seconds.
    await boss.schedule('chain-verification', '* * * * *', { queue: 'chain-verification' }, { tz: 'UTC' });
    for (let i = 0; i < 60 && runs === 0; i++) await settle(500);
    await stop();
    expect(runs).toBe(1);
  }, 60_000);

  it('a failed run is retried, then dead-lettered, and the System page says so', async () => {
    const admin = await createPerson(['ADMIN']);
    // Runs the worker test's processes left behind (done, or waiting for their next slot) would take this slot.
    await asOwner(`DELETE FROM pgboss.job WHERE "name" = 'audit-checkpoint'`);
    const states = async () =>
      (
        await getDb().$queryRaw<{ state: string }[]>`
          SELECT "state"::text FROM pgboss.job WHERE "name" = 'audit-checkpoint' ORDER BY "created_on"`
      ).map((r) => r.state);
    const boss = newBoss();
    await boss.start();
    const stop = await startJobs(boss, {
      'audit-checkpoint': async () => {
        throw new Error('witness unreachable');
      },
    });
    try {
      // The run the jobs start with fails and waits for its retry (10 s backoff)...
      for (let i = 0; i < 40 && !(await states()).includes('retry'); i++) await settle(250);
      expect(await states()).toEqual(['retry']);
      // ...then one sent without retries fails for good, and is the last run.
      await boss.send('audit-checkpoint', { queue: 'audit-checkpoint' }, { retryLimit: 0, singletonKey: 'now' });
      for (let i = 0; i < 40 && !(await states()).includes('failed'); i++) await settle(250);
      expect(await states()).toEqual(['retry', 'failed']);
      await settle(1_000);
    } finally {
      await stop();
    }
    const statuses = await jobStatuses(admin);
    const checkpoint = statuses!.find((s) => s.name === 'audit-checkpoint')!;
    expect(checkpoint.failures).toBeGreaterThanOrEqual(1);
    expect(checkpoint.lastError).toBe('witness unreachable');
    expect(checkpoint.deadLettered).toBeGreaterThanOrEqual(1);
    expect(checkpoint.lastState).toBe('failed');
    const cron = statuses!.find((s) => s.name === 'findings-sync')!;
    expect(cron.schedule).toBe('cron */15 * * * * (UTC)');
    expect(cron.nextRun).toBeInstanceOf(Date);
    await expect(jobStatuses(await createPerson(['AUDITOR']))).rejects.toThrow();
    expect(DEAD_LETTER).toBe('dead-letter');
  }, 30_000);
});

it('pg-boss runs on the embedded PGlite database through its db adapter', async () => {
  const client = new PGlite();
  const boss = new PgBoss({ db: pgliteAdapter(client), schema: JOB_SCHEMA, migrate: true, supervise: false });
  await boss.start();
  await boss.createQueue('embedded', { name: 'embedded', policy: 'stately' });
  const seen: unknown[] = [];
  await boss.work('embedded', { pollingIntervalSeconds: 0.5 }, async ([job]) => {
    seen.push(job!.data);
  });
  await boss.send('embedded', { n: 1 });
  for (let i = 0; i < 40 && seen.length === 0; i++) await settle(250);
  await boss.stop({ graceful: false, wait: true });
  await client.close();
  expect(seen).toEqual([{ n: 1 }]);
}, 60_000);
