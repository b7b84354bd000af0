import 'server-only';
import { appendAuditEvents, SYSTEM_ACTOR } from '@/lib/audit/append';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db, type Tx } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { localDay } from '@/lib/reviews/cadence';
import { getSettings } from '@/lib/settings';
import { severityRankOf, unionOf } from './evaluate';
import { ruleById, RULES, type Severity } from './rules';

type Counted = { ruleId: string; n: bigint };
type Changed = {
  key: string;
  ruleId: string;
  agentId: string;
  credentialId: string | null;
  detail: string | null;
  openedAt?: Date;
};

/** Events are appended in batches of this many: one statement each, the chain lock held throughout. */
const EVENT_BATCH = 2_000;

/**
 * Each finding opened or closed since the last sync, on the custody timeline (the findings' history, as of any date),
 * in the sync's transaction: a critical one's notifications are written with its event.
 */
async function appendFindingEvents(tx: Tx, opened: Changed[], closed: Changed[], backfilled: Changed[]) {
  const events = [
    ...closed.map((f) => ({ f, action: 'finding.closed' as const, backfill: false })),
    ...opened.map((f) => ({ f, action: 'finding.opened' as const, backfill: false })),
    ...backfilled.map((f) => ({ f, action: 'finding.opened' as const, backfill: true })),
  ].flatMap(({ f, action, backfill }) => {
    const rule = ruleById(f.ruleId);
    if (!rule) return [];
    const ref = { ruleId: rule.id, title: rule.title, severity: rule.severity, plane: rule.plane };
    return [
      {
        action,
        actor: SYSTEM_ACTOR,
        agentId: f.agentId,
        credentialId: f.credentialId,
        // Closed rows carry no detail: what failed is on their opening.
        details: { ...ref, ...(f.detail ? { detail: f.detail } : {}), ...(backfill ? { backfilled: true } : {}) },
        // A backfilled finding opened when the sync first saw it, before the chain kept findings.
        ...(backfill && f.openedAt ? { occurredAt: f.openedAt } : {}),
      },
    ];
  });
  for (let i = 0; i < events.length; i += EVENT_BATCH) {
    await appendAuditEvents(tx, events.slice(i, i + EVENT_BATCH));
  }
}

/**
 * The findings state is derived: emptied (a rebuild, a restore from backup), it is first refilled with the findings
 * the timeline says are open, so the sync closes on the chain those that have since gone and opens nothing twice.
 * Nothing is read from the chain while the state holds a row (the one-time filter skips the scan).
 */
async function restoreFromChain(tx: Tx) {
  await tx.$executeRaw`
    INSERT INTO "FindingState" ("key", "ruleId", "severityRank", "agentId", "agentName", "credentialId", "detail",
      "openedAt", "onChain")
    SELECT l."ruleId" || '|' || l."agentId" || '|' || coalesce(l."credentialId", ''), l."ruleId",
      ${severityRankOf(Prisma.sql`l."ruleId"`)}, l."agentId", a."name", l."credentialId", coalesce(l."detail", ''),
      l."occurredAt", true
    FROM (
      SELECT DISTINCT ON (e."details"->>'ruleId', e."agentId", coalesce(e."credentialId", ''))
        e."details"->>'ruleId' AS "ruleId", e."agentId", e."credentialId", e."details"->>'detail' AS "detail",
        e."occurredAt", e."action"
      FROM "AuditEvent" e WHERE e."action" IN ('finding.opened', 'finding.closed')
      ORDER BY e."details"->>'ruleId', e."agentId", coalesce(e."credentialId", ''), e."seq" DESC) l
    JOIN "Agent" a ON a."id" = l."agentId"
    WHERE l."action" = 'finding.opened' AND NOT EXISTS (SELECT 1 FROM "FindingState")`;
}

/**
 * Brings the set of open findings up to date: findings new since the last
 * sync count as opened today, those gone count as closed, and each rule's
 * open count is recorded for today with the time of the sync. All in SQL;
 * safe to run from several instances (an advisory lock serialises them).
 */
type SyncResult = { opened: number; closed: number; open: number };
/** With `unlessWithinMs`: nothing (null) if a sync finished that recently. */
export function syncFindings(db?: Db, now?: Date): Promise<SyncResult>;
export function syncFindings(db: Db, now: Date, options: { unlessWithinMs: number }): Promise<SyncResult | null>;
export async function syncFindings(
  db: Db = getDb(),
  now = new Date(),
  options: { unlessWithinMs?: number } = {},
): Promise<SyncResult | null> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('custodian:findings-sync'))`;
      // Checked under the lock, so servers that start together (or two people pressing
      // "Recompute now") run one sync, not one each in turn.
      if (options.unlessWithinMs !== undefined) {
        const last = await lastFindingsSync(tx);
        if (last && now.getTime() - last.getTime() < options.unlessWithinMs) return null;
      }
      await restoreFromChain(tx);
      const union = (await unionOf(tx, RULES, now))!;
      await tx.$executeRaw`CREATE TEMP TABLE current_findings ON COMMIT DROP AS
        SELECT DISTINCT ON (1) f."ruleId" || '|' || f."agentId" || '|' || coalesce(f."credentialId", '') AS "key",
          f."ruleId",
               ${severityRankOf(Prisma.sql`f."ruleId"`)} AS "severityRank", f."agentId", a."name" AS "agentName",
               f."credentialId", f."detail"
        FROM (${union}) f JOIN "Agent" a ON a."id" = f."agentId"`;
      // A new table has no statistics: without a key and an ANALYZE the planner joined it to "FindingState" in a nested
      // loop over every pair (the DELETE below ran for minutes at 100k agents; with them, under a second).
      await tx.$executeRaw`ALTER TABLE current_findings ADD PRIMARY KEY ("key")`;
      await tx.$executeRaw`ANALYZE current_findings`;
      // Rows whose detail or agent name changed are updated too; xmax = 0 tells an insert from an update.
      const opened = await tx.$queryRaw<Changed[]>`
        WITH up AS (
          INSERT INTO "FindingState" AS s ("key", "ruleId", "severityRank", "agentId", "agentName", "credentialId",
            "detail", "openedAt")
          SELECT "key", "ruleId", "severityRank", "agentId", "agentName", "credentialId", "detail", ${now} FROM
            current_findings
          ON CONFLICT ("key") DO UPDATE SET "detail" = EXCLUDED."detail", "agentName" = EXCLUDED."agentName",
            "severityRank" = EXCLUDED."severityRank"
            WHERE (s."detail", s."agentName", s."severityRank") IS DISTINCT FROM (EXCLUDED."detail",
              EXCLUDED."agentName", EXCLUDED."severityRank")
          RETURNING "key", "ruleId", "agentId", "credentialId", "detail", xmax = 0 AS "inserted")
        SELECT "key", "ruleId", "agentId", "credentialId", "detail" FROM up WHERE "inserted" ORDER BY "key"`;
      const closed = await tx.$queryRaw<Changed[]>`
        WITH del AS (
          DELETE FROM "FindingState" s WHERE NOT EXISTS (SELECT 1 FROM current_findings c WHERE c."key" = s."key")
            RETURNING "key", "ruleId", "agentId", "credentialId", NULL::text AS "detail")
        SELECT * FROM del ORDER BY "key"`;
      const open = await tx.$queryRaw<
        Counted[]
      >`SELECT "ruleId", count(*) AS n FROM current_findings GROUP BY "ruleId"`;
      // Findings open since before the chain kept findings get their opening now (once): the history is whole.
      const backfilled = await tx.$queryRaw<Changed[]>`
        UPDATE "FindingState" SET "onChain" = true WHERE NOT "onChain"
        RETURNING "key", "ruleId", "agentId", "credentialId", "detail", "openedAt"`;
      await appendFindingEvents(tx, opened, closed, backfilled);
      const { reviewTiming } = await getSettings(tx);
      const day = new Date(`${localDay(now, reviewTiming.timeZone)}T00:00:00Z`);
      const of = (rows: Counted[], id: string) => Number(rows.find((r) => r.ruleId === id)?.n ?? 0);
      const tally = (rows: Changed[]) =>
        rows.reduce((m, r) => m.set(r.ruleId, (m.get(r.ruleId) ?? 0) + 1), new Map<string, number>());
      const [openedBy, closedBy] = [tally(opened), tally(closed)];
      for (const rule of RULES) {
        await tx.findingDaily.upsert({
          where: { day_ruleId: { day, ruleId: rule.id } },
          create: {
            day,
            ruleId: rule.id,
            opened: openedBy.get(rule.id) ?? 0,
            closed: closedBy.get(rule.id) ?? 0,
            open: of(open, rule.id),
            syncedAt: now,
          },
          update: {
            opened: { increment: openedBy.get(rule.id) ?? 0 },
            closed: { increment: closedBy.get(rule.id) ?? 0 },
            open: of(open, rule.id),
            syncedAt: now,
          },
        });
      }
      const sum = (rows: Counted[]) => rows.reduce((n, r) => n + Number(r.n), 0);
      return { opened: opened.length, closed: closed.length, open: sum(open) };
    },
    { timeout: 600_000 },
  );
}

/** When the findings were last synced, or null if never. */
export async function lastFindingsSync(db: Db | Tx = getDb()): Promise<Date | null> {
  const latest = await db.findingDaily.findFirst({ orderBy: { syncedAt: 'desc' }, select: { syncedAt: true } });
  return latest?.syncedAt ?? null;
}

/** Open findings per rule at the last sync (the latest day's rows), for the dashboard and the navigation. */
export async function openFindingsByRule(db: Db = getDb()): Promise<Map<string, number>> {
  const rows = await db.$queryRaw<{ ruleId: string; open: number }[]>`
    SELECT "ruleId", "open" FROM "FindingDaily" WHERE "day" = (SELECT max("day") FROM "FindingDaily")`;
  return new Map(RULES.map((r) => [r.id, rows.find((x) => x.ruleId === r.id)?.open ?? 0]));
}

export type TrendDay = { day: string; opened: number; closed: number; open: number } & Record<Severity, number>;

/** The last `days` days of findings: opened, closed, and open by severity, from the daily rows (never recomputed). */
export async function findingTrend(actor: Actor, days = 90, now = new Date()): Promise<TrendDay[]> {
  requirePermission(actor, 'findings.read');
  const since = new Date(now.getTime() - (days - 1) * 86_400_000);
  const rows = await getDb().findingDaily.findMany({
    where: { day: { gte: new Date(`${since.toISOString().slice(0, 10)}T00:00:00Z`) } },
    orderBy: { day: 'asc' },
  });
  const byDay = new Map<string, TrendDay>();
  for (let i = 0; i < days; i++) {
    const day = new Date(since.getTime() + i * 86_400_000).toISOString().slice(0, 10);
    byDay.set(day, { day, opened: 0, closed: 0, open: 0, CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0 });
  }
  const synced = new Set<string>();
  for (const row of rows) {
    const key = row.day.toISOString().slice(0, 10);
    const entry = byDay.get(key);
    const severity = ruleById(row.ruleId)?.severity;
    if (!entry || !severity) continue;
    synced.add(key);
    entry.opened += row.opened;
    entry.closed += row.closed;
    entry.open += row.open;
    entry[severity] += row.open;
  }
  // A day without a sync (the server was down) keeps the open counts of the day before.
  const list = [...byDay.values()];
  list.forEach((entry, i) => {
    const before = list[i - 1];
    if (!synced.has(entry.day) && before)
      Object.assign(entry, {
        open: before.open,
        CRITICAL: before.CRITICAL,
        HIGH: before.HIGH,
        MEDIUM: before.MEDIUM,
        LOW: before.LOW,
      });
  });
  return list;
}

/** A person's "recompute now" on the findings page: a sync, unless one finished in the last minute. */
export async function recomputeFindingsNow(actor: Actor | null, now = new Date()): Promise<string> {
  requirePermission(actor, 'findings.recompute');
  const started = performance.now();
  const result = await syncFindings(getDb(), now, { unlessWithinMs: 60_000 });
  if (!result) return 'Findings were recomputed less than a minute ago.';
  const { open, opened, closed } = result;
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return (
    `Recomputed in ${seconds} s: ${open.toLocaleString('en')} open, ${opened.toLocaleString('en')} new, ` +
    `${closed.toLocaleString('en')} closed since the last run.`
  );
}
