import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { unionOf } from './evaluate';
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

/**
 * A framework's controls with the rules that evidence them, and pass/fail
 * counts of agents in service, counted in SQL. Each rule runs once, however
 * many controls it evidences.
 */
export async function frameworkReport(
  actor: Actor,
  frameworkId: string,
  now = new Date(),
): Promise<{ framework: Framework; agentsInScope: number; controls: ControlResult[] } | null> {
  requirePermission(actor, 'findings.read');
  const framework = FRAMEWORKS.find((f) => f.id === frameworkId);
  if (!framework) return null;
  const db = getDb();
  const rulesOf = new Map(
    framework.items.map((item) => [item.id, RULES.filter((r) => r.controls.includes(`${framework.id}/${item.id}`))]),
  );
  const pairs = [...rulesOf].flatMap(([control, rules]) => rules.map((r) => Prisma.sql`(${control}, ${r.id})`));
  const used = RULES.filter((r) => [...rulesOf.values()].some((rules) => rules.includes(r)));
  const union = await unionOf(db, used, now);
  const [agentsInScope, rows] = await Promise.all([
    db.agent.count({ where: { status: { not: 'RETIRED' } } }),
    union
      ? db.$queryRaw<{ control: string; slug: string; name: string; total: bigint }[]>`
          WITH findings AS MATERIALIZED (SELECT DISTINCT u."ruleId", u."agentId" FROM (${union}) u),
          controls ("control", "ruleId") AS (VALUES ${Prisma.join(pairs)}),
          failing AS (
            SELECT DISTINCT c."control", a."slug", a."name"
            FROM findings f JOIN controls c ON c."ruleId" = f."ruleId" JOIN "Agent" a ON a."id" = f."agentId"
            WHERE a."status" <> 'RETIRED'),
          ranked AS (SELECT *, count(*) OVER (PARTITION BY "control") AS "total", row_number() OVER (PARTITION BY
            "control" ORDER BY "name") AS n FROM failing)
          SELECT "control", "slug", "name", "total" FROM ranked WHERE n <= 25 ORDER BY "control", "name"`
      : Promise.resolve([]),
  ]);
  const controls = framework.items.map((item): ControlResult => {
    const rules = rulesOf.get(item.id)!;
    if (rules.length === 0) return { item, rules, failingAgents: null, passingAgents: null, failing: [] };
    const mine = rows.filter((r) => r.control === item.id);
    const failingAgents = Number(mine[0]?.total ?? 0);
    return {
      item,
      rules,
      failingAgents,
      passingAgents: agentsInScope - failingAgents,
      failing: mine.map((r) => ({ slug: r.slug, name: r.name })),
    };
  });
  return { framework, agentsInScope, controls };
}
