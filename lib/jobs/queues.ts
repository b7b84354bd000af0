// The background jobs' queues: names, schedules and delivery rules. No domain code here: `db:migrate` installs the
// queues as the owner role (the application role owns nothing, so it cannot create them).

/** Where a job goes after its retries: kept, and shown on the System page. */
export const DEAD_LETTER = 'dead-letter';

export type QueueDef = {
  name: string;
  title: string;
  /** Runs every this many seconds, in slots aligned to the clock (more often than cron's minute)… */
  everySeconds?: number;
  /** …or on a cron schedule (UTC), where a minute is fine. */
  cron?: string;
};

export const QUEUES = [
  // Exceptions and delegation grants end in the same sweep, each exactly once.
  { name: 'expiry', title: 'Exceptions and delegations that end', everySeconds: 30 },
  { name: 'exception-lapse', title: 'Break-glass requests that lapse undecided', everySeconds: 30 },
  // A numbered checkpoint a minute, written to the witness, bounds what a rollback of the database could hide.
  { name: 'audit-checkpoint', title: 'Signed audit checkpoint', everySeconds: 60 },
  { name: 'scheduled-reviews', title: 'Scheduled lifecycle reviews', cron: '*/10 * * * *' },
  // Also what the findings page and the dashboard read.
  { name: 'findings-sync', title: 'Findings sync', cron: '*/15 * * * *' },
  { name: 'chain-verification', title: 'Full audit-chain verification', cron: '30 3 * * *' },
] as const satisfies readonly QueueDef[];
export type QueueName = (typeof QUEUES)[number]['name'];

/**
 * One job waiting and one running per queue at most (`stately`): several instances asking for the next run ask for
 * one. A failure is retried three times with backoff, then dead-lettered.
 */
export const QUEUE_OPTIONS = {
  policy: 'stately',
  retryLimit: 3,
  retryDelay: 10,
  retryBackoff: true,
  expireInSeconds: 30 * 60,
  deadLetter: DEAD_LETTER,
} as const;

export const JOB_SCHEMA = 'pgboss';
