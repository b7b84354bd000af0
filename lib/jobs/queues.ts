// The background jobs' queues: names, schedules and delivery rules. No domain code here: `db:migrate` installs the
// queues as the owner role (the application role owns nothing, so it cannot create them).

/** Where a job goes after its retries: kept, and shown on the System page. */
export const DEAD_LETTER = 'dead-letter';
/** pg-boss's own queue for cron: each cron job's run is sent through it. */
export const CRON_QUEUE = '__pgboss__send-it';

export type QueueDef = {
  name: string;
  title: string;
  /** Runs every this many seconds, in slots aligned to the clock (more often than cron's minute)… */
  everySeconds?: number;
  /** …or on a cron schedule (UTC), where a minute is fine. */
  cron?: string;
  /**
   * How long a run may stay active before it counts as failed: a server that dies mid-run holds its queue (one run at
   * a time) until then, so it is a few times the job's longest run, not more.
   */
  expireInSeconds: number;
};

export const QUEUES = [
  // Exceptions and delegation grants end in the same sweep, each exactly once.
  { name: 'expiry', title: 'Exceptions and delegations that end', everySeconds: 30, expireInSeconds: 180 },
  {
    name: 'exception-lapse',
    title: 'Break-glass requests that lapse undecided',
    everySeconds: 30,
    expireInSeconds: 180,
  },
  // The outbox: notifications written with their events, delivered (and retried) from here.
  { name: 'notifications', title: 'Notification delivery', everySeconds: 5, expireInSeconds: 300 },
  {
    name: 'notify-due',
    title: 'Reminders and warnings that come due',
    everySeconds: 60,
    expireInSeconds: 300,
  },
  // A numbered checkpoint a minute, written to the witness, bounds what a rollback of the database could hide.
  { name: 'audit-checkpoint', title: 'Signed audit checkpoint', everySeconds: 60, expireInSeconds: 180 },
  { name: 'scheduled-reviews', title: 'Scheduled lifecycle reviews', cron: '*/10 * * * *', expireInSeconds: 600 },
  // Also what the findings page and the dashboard read.
  { name: 'findings-sync', title: 'Findings sync', cron: '*/15 * * * *', expireInSeconds: 900 },
  // Room for the timeline's next events (the owner's db:migrate and db:partitions also make it).
  { name: 'audit-partitions', title: 'Audit partitions ahead of the chain', cron: '17 * * * *', expireInSeconds: 600 },
  // Credentials, agents, roles, tokens, settings and exceptions in force against their events: a row changed in the
  // database is named within the hour (a run takes about 80 s at 100k agents and 10M events).
  { name: 'registry-check', title: 'Registry against its record', cron: '5 * * * *', expireInSeconds: 1800 },
  // The events since the last verified checkpoint, and a rotating sample of older ones (all of them in 30 runs).
  {
    name: 'chain-verification',
    title: 'Audit-chain verification (incremental)',
    cron: '30 3 * * *',
    expireInSeconds: 3600,
  },
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
  deadLetter: DEAD_LETTER,
} as const;

export const JOB_SCHEMA = 'pgboss';
