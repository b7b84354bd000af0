import 'server-only';
import { type Db, type Tx } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { getSettings, type Settings } from '@/lib/settings';
import { RULES, SEVERITIES, type Rule } from './rules';

// Running the rules: each is one SQL query (see rules.ts); these put them together.

/**
 * The rules' rows as one UNION ALL. With `agentId` (a value, or SQL naming
 * one), each branch is filtered to that agent, which PostgreSQL pushes into
 * the rule's own query: one agent's findings cost index lookups, not a pass
 * over the registry. With `settings`, the policy already read is used.
 */
export async function unionOf(
  db: Db | Tx,
  rules: Rule[],
  now: Date,
  agentId?: string | Prisma.Sql,
  settings?: Settings,
): Promise<Prisma.Sql | null> {
  if (rules.length === 0) return null;
  const policy = settings ?? (await getSettings(db));
  const scope = agentId ? Prisma.sql`WHERE f."agentId" = ${agentId}` : Prisma.empty;
  return Prisma.join(
    rules.map(
      (r) =>
        Prisma.sql`SELECT ${r.id}::text AS "ruleId", f."agentId", f."credentialId", f."detail" FROM
          (${r.query(policy, now)}) f ${scope}`,
    ),
    ' UNION ALL ',
  );
}

/** SQL ranking a "ruleId" column by its rule's severity, most severe first. */
export function severityRankOf(column: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`CASE ${column} ${Prisma.join(
    RULES.map((r) => Prisma.sql`WHEN ${r.id} THEN ${SEVERITIES.indexOf(r.severity)}::int`),
    ' ',
  )} END`;
}

/** One rule's rows (the rule tests check each against its fixtures). */
export async function evaluateRule(
  db: Db,
  rule: Rule,
  now = new Date(),
): Promise<{ agentId: string; credentialId: string | null; detail: string }[]> {
  const settings = await getSettings(db);
  return db.$queryRaw`SELECT f."agentId", f."credentialId", f."detail" FROM (${rule.query(settings, now)}) f`;
}
