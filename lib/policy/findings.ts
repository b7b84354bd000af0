import 'server-only';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, readSource } from '@/lib/db';
import { hotRows } from '@/lib/db/hot-path';
import { keysetParams } from '@/lib/db/keyset';
import { Prisma } from '@/lib/generated/prisma/client';
import type { ControlPlane, RiskTier } from '@/lib/generated/prisma/enums';
import { severityRankOf, unionOf } from './evaluate';
import { FRAMEWORKS } from './frameworks';
import { ruleById, RULES, SEVERITIES, type Rule } from './rules';
import { lastFindingsSync, openFindingsByRule } from './trend';

export const FindingsQuerySchema = z.object({
  rule: z.string().max(64).optional().catch(undefined),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  framework: z
    .enum(FRAMEWORKS.map((f) => f.id) as [string, ...string[]])
    .optional()
    .catch(undefined),
  plane: z.enum(['IAM', 'PAM', 'PLATFORM']).optional().catch(undefined),
  /** A person's id, or `me`: agents they own or hold a control plane of. */
  owner: z.string().max(64).optional().catch(undefined),
  agent: z.string().max(64).optional().catch(undefined),
  ...keysetParams,
});
export type FindingsQuery = z.infer<typeof FindingsQuerySchema>;
/** What callers pass: the URL state, or a few filters (an agent's page) with the page size defaulted. */
export type FindingsInput = Omit<FindingsQuery, 'size'> & { size?: FindingsQuery['size'] };

/** A page of the synced findings starts after (or before) this position in (severity, agent name, key) order. */
type FindingCursor = [number, string, string];

function encodeFindingCursor(row: { severityRank: number; name: string; key: string }): string {
  return Buffer.from(JSON.stringify([row.severityRank, row.name, row.key])).toString('base64url');
}

function decodeFindingCursor(cursor: string | undefined): FindingCursor | null {
  if (!cursor) return null;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    return Array.isArray(value) &&
      typeof value[0] === 'number' &&
      typeof value[1] === 'string' &&
      typeof value[2] === 'string'
      ? (value as FindingCursor)
      : null;
  } catch {
    return null;
  }
}

export type Finding = {
  rule: Rule;
  agent: { id: string; slug: string; name: string; riskTier: RiskTier; owner: string | null };
  credential: { id: string; name: string } | null;
  detail: string;
};

/** The rules a query selects: by id, severity, framework and plane. */
export function selectRules(query: Pick<FindingsQuery, 'rule' | 'severity' | 'framework' | 'plane'>): Rule[] {
  return RULES.filter(
    (r) =>
      (!query.rule || r.id === query.rule) &&
      (!query.severity || r.severity === query.severity) &&
      (!query.framework || r.controls.some((c) => c.startsWith(`${query.framework}/`))) &&
      (!query.plane || r.plane === (query.plane as ControlPlane)),
  );
}

/** `AND <agent column> IN (agents the query's owner owns or holds a plane of)`, or nothing. */
function ownerScope(query: Pick<FindingsQuery, 'owner'>, actor: Actor, agentId: Prisma.Sql): Prisma.Sql {
  const owner = query.owner === 'me' ? actor.id : query.owner;
  return owner
    ? Prisma.sql`AND ${agentId} IN (SELECT a."id" FROM "Agent" a WHERE a."ownerId" = ${owner} UNION SELECT
      ca."agentId" FROM "ControlAssignment" ca WHERE ca."userId" = ${owner})`
    : Prisma.empty;
}

// One agent's findings are few: its page shows up to a hundred, most severe first.
const AGENT_LIMIT = 100;

type FindingRow = {
  ruleId: string;
  agentId: string;
  slug: string;
  name: string;
  riskTier: RiskTier;
  owner: string | null;
  credentialId: string | null;
  credentialName: string | null;
  detail: string;
};

function toFinding(r: FindingRow): Finding {
  return {
    rule: ruleById(r.ruleId)!,
    agent: { id: r.agentId, slug: r.slug, name: r.name, riskTier: r.riskTier, owner: r.owner },
    credential: r.credentialId ? { id: r.credentialId, name: r.credentialName ?? r.credentialId } : null,
    detail: r.detail,
  };
}

export type FindingsPage = {
  findings: Finding[];
  total: number;
  /** When these findings were computed; null if never synced. */
  asOf: Date | null;
  next: string | null;
  prev: string | null;
};

/**
 * Open findings for the query, most severe first, up to 100 rows with the
 * full count. One agent's are computed now (each rule filtered to it: index
 * lookups); the registry's are read from the last findings sync (`asOf`),
 * since running every rule over every agent per page view does not scale.
 */
export async function listFindings(actor: Actor, input: FindingsInput, now = new Date()): Promise<FindingsPage> {
  requirePermission(actor, 'findings.read');
  const query: FindingsQuery = { ...input, size: input.size ?? 100 };
  const rules = selectRules(query);
  if (rules.length === 0) return { findings: [], total: 0, asOf: now, next: null, prev: null };
  return query.agent ? agentFindings(actor, query, rules, now) : syncedFindings(actor, query, rules);
}

async function agentFindings(actor: Actor, query: FindingsQuery, rules: Rule[], now: Date): Promise<FindingsPage> {
  const agent = await getDb().agent.findUnique({ where: { slug: query.agent }, select: { id: true } });
  if (!agent) return { findings: [], total: 0, asOf: now, next: null, prev: null };
  const statement = await agentFindingsStatement(actor, query, rules, now, agent.id);
  // The agent page asks for every rule, unfiltered: one fixed text, prepared once per connection. A filtered ask
  // (its text varies with the filters) is planned per call, so prepared plans never pile up on a connection.
  const fixed = rules.length === RULES.length && !query.owner;
  const rows = fixed ? await hotRows<FindingRow>(statement) : await getDb().$queryRaw<FindingRow[]>(statement);
  return { findings: rows.map(toFinding), total: rows.length, asOf: now, next: null, prev: null };
}

/**
 * One agent's findings, every rule's query filtered to it, in one statement. Planning that union costs more than
 * running it (10–40 ms against 5 on the scale dataset, at every page view), so it runs prepared with its generic
 * plan on the hot path's pool (lib/db/hot-path.ts): its text is fixed (the agent, the time and the policy are
 * parameters).
 */
export async function agentFindingsStatement(
  actor: Actor,
  query: FindingsQuery,
  rules: Rule[],
  now: Date,
  agentId: string,
): Promise<Prisma.Sql> {
  const union = (await unionOf(getDb(), rules, now, agentId))!;
  return Prisma.sql`
    SELECT f."ruleId", a."id" AS "agentId", a."slug", a."name", a."riskTier", o."name" AS "owner", c."id" AS
      "credentialId", c."name" AS "credentialName", f."detail"
    FROM (${union}) f
    JOIN "Agent" a ON a."id" = f."agentId"
    LEFT JOIN "User" o ON o."id" = a."ownerId"
    LEFT JOIN "Credential" c ON c."id" = f."credentialId"
    WHERE true ${ownerScope(query, actor, Prisma.sql`f."agentId"`)}
    ORDER BY ${severityRankOf(Prisma.sql`f."ruleId"`)}, f."detail"
    LIMIT ${AGENT_LIMIT}`;
}

/**
 * The registry's findings from the last sync, most severe first, paged by
 * keyset on the (severity, agent name, key) index: a row comparison, so a
 * deep page costs what the first does.
 */
async function syncedFindings(actor: Actor, query: FindingsQuery, rules: Rule[]): Promise<FindingsPage> {
  const { db } = await readSource();
  const ruleIds = rules.map((r) => r.id);
  const where = Prisma.sql`s."ruleId" IN (${Prisma.join(ruleIds)})
    ${ownerScope(query, actor, Prisma.sql`s."agentId"`)}`;
  const after = decodeFindingCursor(query.after);
  const before = after ? null : decodeFindingCursor(query.before);
  const boundary = after ?? before;
  const position = boundary
    ? Prisma.sql`AND (s."severityRank", s."agentName", s."key") ${before ? Prisma.sql`<` : Prisma.sql`>`}
      (${boundary[0]}::int, ${boundary[1]}, ${boundary[2]})`
    : Prisma.empty;
  const order = before ? Prisma.sql`DESC` : Prisma.sql`ASC`;
  const [found, total, asOf] = await Promise.all([
    // The page first, by the (severity, agent name, key) index; names joined for its rows only.
    db.$queryRaw<(FindingRow & { severityRank: number; key: string })[]>`
      SELECT s."ruleId", s."agentId", a."slug", s."agentName" AS "name", a."riskTier", a."owner", c."id" AS
        "credentialId",
             c."name" AS "credentialName", s."detail", s."severityRank", s."key"
      FROM (
        SELECT * FROM "FindingState" s WHERE ${where} ${position}
        ORDER BY s."severityRank" ${order}, s."agentName" ${order}, s."key" ${order} LIMIT ${query.size + 1}
      ) s
      -- LIMIT 1 keeps each lookup a per-row index probe (a plain join may hash the whole registry).
      CROSS JOIN LATERAL (
        SELECT a."slug", a."riskTier", o."name" AS "owner" FROM "Agent" a LEFT JOIN "User" o ON o."id" = a."ownerId"
          WHERE a."id" = s."agentId" LIMIT 1
      ) a
      LEFT JOIN LATERAL (SELECT c."id", c."name" FROM "Credential" c WHERE c."id" = s."credentialId" LIMIT 1) c ON true
      ORDER BY s."severityRank" ${order}, s."agentName" ${order}, s."key" ${order}`,
    // Without an owner filter the total is the sync's own per-rule count.
    query.owner
      ? db.$queryRaw<[{ n: number }]>`SELECT count(*)::int AS n FROM "FindingState" s WHERE ${where}`.then(([r]) => r.n)
      : openFindingsByRule(db).then((byRule) => ruleIds.reduce((n, id) => n + (byRule.get(id) ?? 0), 0)),
    lastFindingsSync(db),
  ]);
  const more = found.length > query.size;
  const rows = found.slice(0, query.size);
  if (before) rows.reverse();
  const edge = (row: (typeof rows)[number] | undefined) => (row ? encodeFindingCursor(row) : null);
  return {
    findings: rows.map(toFinding),
    total,
    asOf,
    next: before || more ? edge(rows[rows.length - 1]) : null,
    prev: before ? (more ? edge(rows[0]) : null) : after ? edge(rows[0]) : null,
  };
}
