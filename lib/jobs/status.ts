import 'server-only';
import cronParser from 'cron-parser';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { DEAD_LETTER, QUEUES } from './queues';

export type JobStatus = {
  name: string;
  title: string;
  schedule: string;
  lastRun: Date | null;
  lastState: string | null;
  nextRun: Date | null;
  running: boolean;
  failures: number;
  lastError: string | null;
  lastErrorAt: Date | null;
  deadLettered: number;
};

type Row = {
  name: string;
  last_run: Date | null;
  last_state: string | null;
  next_run: Date | null;
  running: boolean;
  failures: bigint | number;
  last_error: string | null;
  last_error_at: Date | null;
};

const WEEK = "interval '7 days'";

/** Every job's last run, next run and failures (the last week's), from the queue's own tables. */
export async function jobStatuses(actor: Actor | null, now = new Date()): Promise<JobStatus[] | null> {
  requirePermission(actor, 'system.read');
  const installed = await getDb().$queryRaw<{ ok: boolean }[]>`
    SELECT to_regclass('pgboss.job') IS NOT NULL AS ok`;
  if (!installed[0]?.ok) return null;
  // A run that failed and waits for its retry keeps the failure (output) until it completes; a failed job failed
  // its last retry too. A timeout's output is { value: { message } }.
  const rows = await getDb().$queryRawUnsafe<Row[]>(`
    WITH j AS (
      SELECT name, state, created_on, started_on, completed_on, start_after, retry_count, output FROM pgboss.job
      UNION ALL
      SELECT name, state, created_on, started_on, completed_on, start_after, retry_count, output FROM pgboss.archive
    )
    SELECT name,
      max(completed_on) FILTER (WHERE state = 'completed') AS last_run,
      (array_agg(state::text ORDER BY coalesce(completed_on, started_on) DESC NULLS LAST)
        FILTER (WHERE state IN ('completed', 'failed', 'retry')))[1] AS last_state,
      min(start_after) FILTER (WHERE state IN ('created', 'retry')) AS next_run,
      bool_or(state = 'active') AS running,
      coalesce(sum(CASE WHEN state IN ('failed', 'retry') THEN retry_count + 1 ELSE retry_count END)
        FILTER (WHERE created_on > now() - ${WEEK}), 0) AS failures,
      (array_agg(coalesce(output->>'message', output->'value'->>'message') ORDER BY coalesce(completed_on, started_on)
        DESC NULLS LAST) FILTER (WHERE state IN ('failed', 'retry')))[1] AS last_error,
      max(coalesce(completed_on, started_on)) FILTER (WHERE state IN ('failed', 'retry')) AS last_error_at
    FROM j GROUP BY name`);
  const byName = new Map(rows.map((r) => [r.name, r]));
  // Jobs that failed every retry wait in the dead-letter queue, each naming the queue it came from.
  const dead = await getDb().$queryRawUnsafe<{ queue: string; n: bigint }[]>(`
    SELECT data->>'queue' AS queue, count(*) AS n FROM (
      SELECT data FROM pgboss.job WHERE name = '${DEAD_LETTER}' AND created_on > now() - ${WEEK}
      UNION ALL SELECT data FROM pgboss.archive WHERE name = '${DEAD_LETTER}' AND created_on > now() - ${WEEK}) d
    GROUP BY 1`);
  const deadOf = new Map(dead.map((d) => [d.queue, Number(d.n)]));
  return QUEUES.map((q) => {
    const r = byName.get(q.name);
    const cron = 'cron' in q ? q.cron : null;
    return {
      name: q.name,
      title: q.title,
      schedule: cron ? `cron ${cron} (UTC)` : `every ${'everySeconds' in q ? q.everySeconds : 0} s`,
      lastRun: r?.last_run ?? null,
      lastState: r?.last_state ?? null,
      nextRun:
        r?.next_run ??
        (cron ? cronParser.parseExpression(cron, { tz: 'UTC', currentDate: now }).next().toDate() : null),
      running: r?.running ?? false,
      failures: Number(r?.failures ?? 0),
      lastError: r?.last_error ?? null,
      lastErrorAt: r?.last_error_at ?? null,
      deadLettered: deadOf.get(q.name) ?? 0,
    };
  });
}
