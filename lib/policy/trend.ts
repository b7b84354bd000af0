import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { localDay } from '@/lib/reviews/cadence';
import { getSettings } from '@/lib/settings';
import { unionOf } from './findings';
import { RULES, ruleById, type Severity } from './rules';

type Counted = { ruleId: string; n: bigint };

/**
 * Brings the set of open findings up to date: findings new since the last
 * sync count as opened today, those gone count as closed, and each rule's
 * open count is recorded for today. All in SQL; safe to run from several
 * instances (an advisory lock serialises them).
 */
export async function syncFindings(db: Db = getDb(), now = new Date()): Promise<{ opened: number; closed: number; open: number }> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('custodian:findings-sync'))`;
      const union = (await unionOf(tx, RULES, now))!;
      await tx.$executeRaw`CREATE TEMP TABLE current_findings ON COMMIT DROP AS
        SELECT DISTINCT f."ruleId" || '|' || f."agentId" || '|' || coalesce(f."credentialId", '') AS "key", f."ruleId", f."agentId", f."credentialId" FROM (${union}) f`;
      const opened = await tx.$queryRaw<Counted[]>`
        WITH ins AS (
          INSERT INTO "FindingState" ("key", "ruleId", "agentId", "credentialId", "openedAt")
          SELECT "key", "ruleId", "agentId", "credentialId", ${now} FROM current_findings ON CONFLICT ("key") DO NOTHING RETURNING "ruleId")
        SELECT "ruleId", count(*) AS n FROM ins GROUP BY "ruleId"`;
      const closed = await tx.$queryRaw<Counted[]>`
        WITH del AS (
          DELETE FROM "FindingState" s WHERE NOT EXISTS (SELECT 1 FROM current_findings c WHERE c."key" = s."key") RETURNING "ruleId")
        SELECT "ruleId", count(*) AS n FROM del GROUP BY "ruleId"`;
      const open = await tx.$queryRaw<Counted[]>`SELECT "ruleId", count(*) AS n FROM current_findings GROUP BY "ruleId"`;
      const { reviewTiming } = await getSettings(tx);
      const day = new Date(`${localDay(now, reviewTiming.timeZone)}T00:00:00Z`);
      const of = (rows: Counted[], id: string) => Number(rows.find((r) => r.ruleId === id)?.n ?? 0);
      for (const rule of RULES) {
        await tx.findingDaily.upsert({
          where: { day_ruleId: { day, ruleId: rule.id } },
          create: { day, ruleId: rule.id, opened: of(opened, rule.id), closed: of(closed, rule.id), open: of(open, rule.id) },
          update: { opened: { increment: of(opened, rule.id) }, closed: { increment: of(closed, rule.id) }, open: of(open, rule.id) },
        });
      }
      const sum = (rows: Counted[]) => rows.reduce((n, r) => n + Number(r.n), 0);
      return { opened: sum(opened), closed: sum(closed), open: sum(open) };
    },
    { timeout: 120_000 },
  );
}

export type TrendDay = { day: string; opened: number; closed: number; open: number } & Record<Severity, number>;

/** The last `days` days of findings: opened, closed, and open by severity, from the daily rows (never recomputed). */
export async function findingTrend(actor: Actor, days = 90, now = new Date()): Promise<TrendDay[]> {
  requirePermission(actor, 'findings.read');
  const since = new Date(now.getTime() - (days - 1) * 86_400_000);
  const rows = await getDb().findingDaily.findMany({ where: { day: { gte: new Date(`${since.toISOString().slice(0, 10)}T00:00:00Z`) } }, orderBy: { day: 'asc' } });
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
    if (!synced.has(entry.day) && before) Object.assign(entry, { open: before.open, CRITICAL: before.CRITICAL, HIGH: before.HIGH, MEDIUM: before.MEDIUM, LOW: before.LOW });
  });
  return list;
}

