import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { getSettings } from '@/lib/settings';
import { FRAMEWORKS, type Framework, type FrameworkItem } from './frameworks';
import { RULES, type Rule } from './rules';

export type ControlResult = {
  item: FrameworkItem;
  rules: Rule[];
  /** null when no rule evidences the control: Custodian does not assess it. */
  failingAgents: number | null;
  passingAgents: number | null;
  failing: { slug: string; name: string }[];
};

/** A framework's controls with the rules that evidence them, and pass/fail counts of agents in service, counted in SQL. */
export async function frameworkReport(actor: Actor, frameworkId: string, now = new Date()): Promise<{ framework: Framework; agentsInScope: number; controls: ControlResult[] } | null> {
  requirePermission(actor, 'findings.read');
  const framework = FRAMEWORKS.find((f) => f.id === frameworkId);
  if (!framework) return null;
  const db = getDb();
  const settings = await getSettings(db);
  const agentsInScope = await db.agent.count({ where: { status: { not: 'RETIRED' } } });
  const controls = await Promise.all(
    framework.items.map(async (item): Promise<ControlResult> => {
      const rules = RULES.filter((r) => r.controls.includes(`${framework.id}/${item.id}`));
      if (rules.length === 0) return { item, rules, failingAgents: null, passingAgents: null, failing: [] };
      const union = Prisma.join(rules.map((r) => Prisma.sql`SELECT f."agentId" FROM (${r.query(settings, now)}) f`), ' UNION ');
      const rows = await db.$queryRaw<{ slug: string; name: string; total: bigint }[]>`
        SELECT a."slug", a."name", count(*) OVER () AS "total"
        FROM (${union}) u JOIN "Agent" a ON a."id" = u."agentId" WHERE a."status" <> 'RETIRED'
        ORDER BY a."name" LIMIT 25`;
      const failingAgents = Number(rows[0]?.total ?? 0);
      return { item, rules, failingAgents, passingAgents: agentsInScope - failingAgents, failing: rows.map((r) => ({ slug: r.slug, name: r.name })) };
    }),
  );
  return { framework, agentsInScope, controls };
}
