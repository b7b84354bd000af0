import 'server-only';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db, type Tx } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import type { ControlPlane, RiskTier } from '@/lib/generated/prisma/enums';
import { getSettings } from '@/lib/settings';
import { FRAMEWORKS } from './frameworks';
import { RULES, SEVERITIES, ruleById, type Rule } from './rules';

export const FindingsQuerySchema = z.object({
  rule: z.string().max(64).optional().catch(undefined),
  severity: z.enum(SEVERITIES).optional().catch(undefined),
  framework: z.enum(FRAMEWORKS.map((f) => f.id) as [string, ...string[]]).optional().catch(undefined),
  plane: z.enum(['IAM', 'PAM', 'PLATFORM']).optional().catch(undefined),
  /** A person's id, or `me`: agents they own or hold a control plane of. */
  owner: z.string().max(64).optional().catch(undefined),
  agent: z.string().max(64).optional().catch(undefined),
});
export type FindingsQuery = z.infer<typeof FindingsQuerySchema>;

export function parseFindingsQuery(params: Record<string, string | string[] | undefined>): FindingsQuery {
  return FindingsQuerySchema.parse(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, (Array.isArray(v) ? v[0] : v) || undefined])));
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

/**
 * The rules' rows as one UNION ALL. With `agentId`, each branch is filtered
 * to that agent, which PostgreSQL pushes into the rule's own query: one
 * agent's findings cost index lookups, not a pass over the registry.
 */
export async function unionOf(db: Db | Tx, rules: Rule[], now: Date, agentId?: string): Promise<Prisma.Sql | null> {
  if (rules.length === 0) return null;
  const settings = await getSettings(db);
  const scope = agentId ? Prisma.sql`WHERE f."agentId" = ${agentId}` : Prisma.empty;
  return Prisma.join(
    rules.map((r) => Prisma.sql`SELECT ${r.id}::text AS "ruleId", f."agentId", f."credentialId", f."detail" FROM (${r.query(settings, now)}) f ${scope}`),
    ' UNION ALL ',
  );
}

function ownerScope(query: Pick<FindingsQuery, 'owner'>, actor: Actor): Prisma.Sql {
  const owner = query.owner === 'me' ? actor.id : query.owner;
  return owner
    ? Prisma.sql`AND (a."ownerId" = ${owner} OR EXISTS (SELECT 1 FROM "ControlAssignment" ca WHERE ca."agentId" = a."id" AND ca."userId" = ${owner}))`
    : Prisma.empty;
}

const LIMIT = 500;

/** Open findings for the query, most severe first: each rule answered in SQL, up to 500 rows with the full count. */
export async function listFindings(actor: Actor, query: FindingsQuery, now = new Date()): Promise<{ findings: Finding[]; total: number }> {
  requirePermission(actor, 'findings.read');
  const db = getDb();
  const agent = query.agent ? await db.agent.findUnique({ where: { slug: query.agent }, select: { id: true } }) : null;
  if (query.agent && !agent) return { findings: [], total: 0 };
  const union = await unionOf(db, selectRules(query), now, agent?.id);
  if (!union) return { findings: [], total: 0 };
  const severityRank = Prisma.join(RULES.map((r) => Prisma.sql`WHEN ${r.id} THEN ${SEVERITIES.indexOf(r.severity)}`), ' ');
  const rows = await db.$queryRaw<{ ruleId: string; agentId: string; slug: string; name: string; riskTier: RiskTier; owner: string | null; credentialId: string | null; credentialName: string | null; detail: string; total: bigint }[]>`
    SELECT f."ruleId", a."id" AS "agentId", a."slug", a."name", a."riskTier", o."name" AS "owner", c."id" AS "credentialId", c."name" AS "credentialName", f."detail",
           count(*) OVER () AS "total"
    FROM (${union}) f
    JOIN "Agent" a ON a."id" = f."agentId"
    LEFT JOIN "User" o ON o."id" = a."ownerId"
    LEFT JOIN "Credential" c ON c."id" = f."credentialId"
    WHERE true ${ownerScope(query, actor)}
    ORDER BY CASE f."ruleId" ${severityRank} END, a."name", f."detail"
    LIMIT ${LIMIT}`;
  return {
    total: Number(rows[0]?.total ?? 0),
    findings: rows.map((r) => ({
      rule: ruleById(r.ruleId)!,
      agent: { id: r.agentId, slug: r.slug, name: r.name, riskTier: r.riskTier, owner: r.owner },
      credential: r.credentialId ? { id: r.credentialId, name: r.credentialName ?? r.credentialId } : null,
      detail: r.detail,
    })),
  };
}

/** Open findings per rule, for the dashboard and the navigation. */
export async function countFindingsIn(db: Db, now = new Date()): Promise<Map<string, number>> {
  const union = (await unionOf(db, RULES, now))!;
  const rows = await db.$queryRaw<{ ruleId: string; findings: bigint }[]>`
    SELECT f."ruleId", count(*) AS "findings" FROM (${union}) f GROUP BY f."ruleId"`;
  return new Map(RULES.map((r) => [r.id, Number(rows.find((x) => x.ruleId === r.id)?.findings ?? 0)]));
}

/** One rule's rows (the rule tests check each against its fixtures). */
export async function evaluateRule(db: Db, rule: Rule, now = new Date()): Promise<{ agentId: string; credentialId: string | null; detail: string }[]> {
  const settings = await getSettings(db);
  return db.$queryRaw`SELECT f."agentId", f."credentialId", f."detail" FROM (${rule.query(settings, now)}) f`;
}
