import 'server-only';
import type { SqlTx } from '@/lib/db/sql-tx';
import { Prisma } from '@/lib/generated/prisma/client';

type PersonRef = { id: string; name: string | null; active: boolean } | null;

/** Who was accountable for an agent when an event happened. */
export type OwnersSnapshot = {
  accountable: PersonRef;
  IAM: PersonRef;
  PAM: PersonRef;
  PLATFORM: PersonRef;
};

const person = (alias: string) =>
  Prisma.raw(`json_build_object('id', ${alias}."id", 'name', ${alias}."name", 'active', ${alias}."active")`);
const plane = (agent: Prisma.Sql, p: 'IAM' | 'PAM' | 'PLATFORM') =>
  Prisma.sql`(SELECT ${person('u')} FROM "ControlAssignment" ca JOIN "User" u ON u."id" = ca."userId"
    WHERE ca."agentId" = ${agent}."id" AND ca."plane" = ${p}::"ControlPlane")`;

/** SQL: the owners snapshot of the agent row `agent`, as JSON (what an event's `owners` holds). */
export function ownersJson(agent: Prisma.Sql): Prisma.Sql {
  return Prisma.sql`json_build_object(
    'accountable', (SELECT ${person('o')} FROM "User" o WHERE o."id" = ${agent}."ownerId"),
    'IAM', ${plane(agent, 'IAM')}, 'PAM', ${plane(agent, 'PAM')}, 'PLATFORM', ${plane(agent, 'PLATFORM')})`;
}

/** The current owners of each agent, read inside the event's transaction: one statement. */
export async function snapshotOwners(tx: SqlTx, agentIds: string[]): Promise<Map<string, OwnersSnapshot>> {
  const unique = [...new Set(agentIds)];
  if (unique.length === 0) return new Map();
  const rows = await tx.$queryRaw<{ id: string; owners: OwnersSnapshot }[]>`
    SELECT a."id", ${ownersJson(Prisma.raw('a'))} AS "owners" FROM "Agent" a WHERE a."id" = ANY(${unique}::text[])`;
  return new Map(rows.map((r) => [r.id, r.owners]));
}
