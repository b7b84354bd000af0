// `npm run worker`: the background jobs in a process of their own (set CUSTODIAN_JOBS=worker on the web servers so
// they leave the jobs to it). Several workers may run: each queue keeps one job waiting, and cron jobs are sent from
// one instance a minute. Needs DATABASE_URL: the embedded database is one process's.
import { runScript } from '@/lib/db/run-script';
import { getEnv } from '@/lib/env';
import { newBoss } from '@/lib/jobs/boss';
import { startJobs } from '@/lib/jobs/runner';
import { log } from '@/lib/ops/logger';

async function main(): Promise<number> {
  if (!getEnv().DATABASE_URL) {
    console.error('npm run worker needs DATABASE_URL (a PostgreSQL server): the embedded database is one process’s.');
    return 2;
  }
  const boss = newBoss();
  boss.on('error', (error) => log.error({ err: error }, 'job queue'));
  await boss.start();
  const stop = await startJobs(boss);
  console.log('Custodian worker: working every queue. Ctrl-C stops it after the running jobs.');
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  await stop();
  return 0;
}

runScript(main);
