import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { Invalid } from '@/lib/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import { unionOf } from './evaluate';
import { countEvidence, type EvidenceCount } from './evidence';
import { FRAMEWORKS, type Framework, type FrameworkItem } from './frameworks';
import { RULES, type Rule } from './rules';

/** How Custodian accounts for a control: its rules, the processes it runs, or outside it (with the reason). */
export type CoverageState = 'assessed' | 'evidenced' | 'outside';

export type ControlResult = {
  item: FrameworkItem;
  state: CoverageState;
  rules: Rule[];
  /** null unless assessed. */
  failingAgents: number | null;
  passingAgents: number | null;
  failing: { slug: string; name: string }[];
  evidence: EvidenceCount[];
};

/** The chain head a past report is computed from, and where the findings' history on the chain begins. */
export type AsOf = { at: Date; head: { seq: bigint; hash: string } | null; historyFrom: Date | null };

export type FrameworkReport = {
  framework: Framework;
  agentsInScope: number;
  controls: ControlResult[];
  /** The moment described (now, for today's report) and the evidence window ending then. */
  at: Date;
  evidenceWindow: { from: Date; to: Date };
  asOf?: AsOf;
};

/** The days of process records a report counts as evidence, ending at the moment it describes: a quarter. */
export const EVIDENCE_DAYS = 90;

/** The rules naming a control decide its state; failing those, its evidence; else it is declared outside. */
export function coverageOf(frameworkId: string, item: FrameworkItem): { state: CoverageState; rules: Rule[] } {
  const rules = RULES.filter((r) => r.controls.includes(`${frameworkId}/${item.id}` as Rule['controls'][number]));
  return { state: rules.length > 0 ? 'assessed' : item.evidence?.length ? 'evidenced' : 'outside', rules };
}

const EARLIEST = new Date('1970-01-01T00:00:00Z');

/**
 * A moment a report may describe: a day (its end, UTC) or an ISO instant with its offset; never the future (today's
 * end is now, as the report is computed now).
 */
export function parseAsOf(value: string | null | undefined, now = new Date()): Date | null {
  if (!value) return null;
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(value);
  const at = day ? new Date(`${value}T23:59:59.999Z`) : instant ? new Date(value) : new Date(NaN);
  // 2026-02-30 is not a day (Date would roll it over to March).
  if (Number.isNaN(at.getTime()) || (day && at.toISOString().slice(0, 10) !== value)) {
    throw new Invalid('Give a date such as 2026-09-30, or an instant such as 2026-09-30T17:00:00Z.', {
      asOf: ['Not a date.'],
    });
  }
  if (at < EARLIEST) {
    throw new Invalid('Custodian keeps no record before 1970: choose a later date.', { asOf: ['Before 1970.'] });
  }
  if (day ? value > now.toISOString().slice(0, 10) : at > now) {
    throw new Invalid('A report describes the past: choose today or an earlier date.', { asOf: ['In the future.'] });
  }
  return at > now ? now : at;
}

/**
 * The last event recorded at or before `at`: a binary search over seq (gapless, and recorded in order under the
 * chain lock), each probe one primary-key read — no scan of years of events.
 */
export async function headAt(at: Date): Promise<{ seq: bigint; hash: string } | null> {
  const db = getDb();
  const [top] = await db.$queryRaw<{ seq: bigint | null }[]>`SELECT max("seq") AS "seq" FROM "AuditEvent"`;
  let lo = 0n;
  let hi = top?.seq ?? 0n;
  while (lo < hi) {
    const mid = (lo + hi + 1n) / 2n;
    const [row] = await db.$queryRaw<{ recordedAt: Date }[]>`
      SELECT "recordedAt" FROM "AuditEvent" WHERE "seq" = ${mid}`;
    if (row && row.recordedAt <= at) lo = mid;
    else hi = mid - 1n;
  }
  if (lo === 0n) return null;
  const [head] = await db.$queryRaw<{ seq: bigint; hash: string }[]>`
    SELECT "seq", "hash" FROM "AuditEvent" WHERE "seq" = ${lo}`;
  return head ?? null;
}

/**
 * The findings and agents of a past moment, from the custody timeline alone (never today's state): the head at that
 * moment, each finding whose last finding event up to it opened it, and each agent registered and not retired then.
 */
async function pastState(at: Date) {
  const db = getDb();
  const head = await headAt(at);
  // The first finding event: a finding is opened before it is closed.
  const [first] = await db.$queryRaw<{ recordedAt: Date }[]>`
    SELECT "recordedAt" FROM "AuditEvent" WHERE "action" = 'finding.opened' ORDER BY "seq" LIMIT 1`;
  const upTo = head?.seq ?? 0n;
  const findings = Prisma.sql`
    SELECT "ruleId", "agentId" FROM (
      SELECT DISTINCT ON (e."details"->>'ruleId', e."agentId", coalesce(e."credentialId", ''))
        e."details"->>'ruleId' AS "ruleId", e."agentId", e."action"
      FROM "AuditEvent" e WHERE e."action" IN ('finding.opened', 'finding.closed') AND e."seq" <= ${upTo}
      ORDER BY e."details"->>'ruleId', e."agentId", coalesce(e."credentialId", ''), e."seq" DESC) last
    WHERE "action" = 'finding.opened'`;
  // In scope: each agent whose last lifecycle event by then leaves it registered and not retired.
  const inScope = Prisma.sql`
    SELECT "agentId" FROM (
      SELECT DISTINCT ON (e."agentId") e."agentId", e."action", e."details"->>'to' AS "to"
      FROM "AuditEvent" e WHERE e."action" IN ('agent.created', 'agent.status_changed') AND e."seq" <= ${upTo}
      ORDER BY e."agentId", e."seq" DESC) s
    WHERE NOT (s."action" = 'agent.status_changed' AND s."to" = 'RETIRED')`;
  const asOf: AsOf = { at, head, historyFrom: first?.recordedAt ?? null };
  return {
    findings,
    agentsInScope: Prisma.sql`SELECT count(*) AS n FROM (${inScope}) s`,
    inScope: Prisma.sql`f."agentId" IN (${inScope})`,
    asOf,
  };
}

/**
 * A framework's controls with the rules that evidence them, and pass/fail
 * counts of agents in service, counted in SQL. Each rule runs once, however
 * many controls it evidences.
 */
export async function frameworkReport(
  actor: Actor,
  frameworkId: string,
  options: { now?: Date; asOf?: Date | null } = {},
): Promise<FrameworkReport | null> {
  requirePermission(actor, 'findings.read');
  const framework = FRAMEWORKS.find((f) => f.id === frameworkId);
  if (!framework) return null;
  const db = getDb();
  const now = options.now ?? new Date();
  const rulesOf = new Map(framework.items.map((item) => [item.id, coverageOf(framework.id, item).rules]));
  const pairs = [...rulesOf].flatMap(([control, rules]) => rules.map((r) => Prisma.sql`(${control}, ${r.id})`));
  const used = RULES.filter((r) => [...rulesOf.values()].some((rules) => rules.includes(r)));
  // Today: the rules run live. A past date: the findings and agents the timeline says were there then.
  const past = options.asOf ? await pastState(options.asOf) : null;
  const at = past?.asOf.at ?? now;
  const from = new Date(at.getTime() - EVIDENCE_DAYS * 86_400_000);
  const evidenceIds = [...new Set(framework.items.flatMap((i) => i.evidence ?? []))];
  const union = past ? past.findings : await unionOf(db, used, now);
  // Today: agents not retired, by their status column (indexed), as ever.
  const inScope = past ? past.inScope : Prisma.sql`a."status" <> 'RETIRED'`;
  const [[scope], rows, evidence] = await Promise.all([
    db.$queryRaw<{ n: bigint }[]>(
      past?.agentsInScope ?? Prisma.sql`SELECT count(*) AS n FROM "Agent" WHERE "status" <> 'RETIRED'`,
    ),
    union
      ? db.$queryRaw<{ control: string; slug: string; name: string; total: bigint }[]>`
          WITH findings AS MATERIALIZED (SELECT DISTINCT u."ruleId", u."agentId" FROM (${union}) u),
          controls ("control", "ruleId") AS (VALUES ${Prisma.join(pairs)}),
          failing AS (
            SELECT DISTINCT c."control", a."slug", a."name"
            FROM findings f JOIN controls c ON c."ruleId" = f."ruleId" JOIN "Agent" a ON a."id" = f."agentId"
            WHERE ${inScope}),
          ranked AS (SELECT *, count(*) OVER (PARTITION BY "control") AS "total", row_number() OVER (PARTITION BY
            "control" ORDER BY "name") AS n FROM failing)
          SELECT "control", "slug", "name", "total" FROM ranked WHERE n <= 25 ORDER BY "control", "name"`
      : Promise.resolve([]),
    (async () => {
      const [start, end] = await Promise.all([headAt(from), past ? past.asOf.head : headAt(at)]);
      return countEvidence(evidenceIds, { from, to: at, afterSeq: start?.seq ?? 0n, throughSeq: end?.seq ?? 0n });
    })(),
  ]);
  const agentsInScope = Number(scope?.n ?? 0);
  // Before the timeline kept findings, a past moment's rule results are not known: unknown, never a pass.
  const findingsKnown = !past || (past.asOf.historyFrom !== null && past.asOf.historyFrom <= at);
  const controls = framework.items.map((item): ControlResult => {
    const { state, rules } = coverageOf(framework.id, item);
    const mine = evidence.filter((e) => item.evidence?.includes(e.id));
    if (state !== 'assessed' || !findingsKnown) {
      return { item, state, rules, failingAgents: null, passingAgents: null, failing: [], evidence: mine };
    }
    const failed = rows.filter((r) => r.control === item.id);
    const failingAgents = Number(failed[0]?.total ?? 0);
    return {
      item,
      state,
      rules,
      failingAgents,
      passingAgents: agentsInScope - failingAgents,
      failing: failed.map((r) => ({ slug: r.slug, name: r.name })),
      evidence: mine,
    };
  });
  return {
    framework,
    agentsInScope,
    controls,
    at,
    evidenceWindow: { from, to: at },
    ...(past ? { asOf: past.asOf } : {}),
  };
}
