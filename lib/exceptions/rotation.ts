import 'server-only';
import type { Db, Tx } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { awaitingWhere, ENDED_AT } from './sql';

/** A credential a break-glass covered that has had neither a rotation nor a revocation since the break-glass ended. */
export type AwaitingRotation = { exceptionId: string; credentialId: string; credentialName: string; endedAt: Date };

/**
 * The covered credentials still awaiting rotation after a break-glass ended, of
 * one agent or one exception, oldest end first. Rotation is evidence: until it
 * (or a revocation) is recorded after the end, the post-incident review cannot
 * certify.
 */
export async function awaitingRotation(
  db: Db | Tx,
  of: { agentId: string } | { exceptionId: string },
): Promise<AwaitingRotation[]> {
  const filter = 'agentId' in of ? Prisma.sql`e."agentId" = ${of.agentId}` : Prisma.sql`e."id" = ${of.exceptionId}`;
  return db.$queryRaw<AwaitingRotation[]>`
    SELECT e."id" AS "exceptionId", c."id" AS "credentialId", c."name" AS "credentialName", ${ENDED_AT} AS "endedAt"
    ${awaitingWhere(filter)}
    ORDER BY 4, c."name"`;
}

/** How many agents carry a break-glass whose covered credentials await rotation. */
export async function countAgentsAwaitingRotation(db: Db | Tx): Promise<number> {
  const [row] = await db.$queryRaw<{ n: bigint }[]>`
    SELECT count(DISTINCT e."agentId") AS n ${awaitingWhere(Prisma.sql`TRUE`)}`;
  return Number(row?.n ?? 0);
}
/** "rotation of a, b missing": the words the review and exception pages (and the refusal) use. */
export function rotationMissing(rows: { credentialName: string }[]): string {
  const names = [...new Set(rows.map((r) => r.credentialName))];
  return `rotation of ${names.join(', ')} missing`;
}

/**
 * Per agent, who asked for a break-glass that ended since the agent's last
 * completed review: the post-incident review judges their use, so they do
 * not review it (nor does the owner).
 */
export async function breakGlassRequesters(db: Db | Tx, agentIds: string[]): Promise<Map<string, string[]>> {
  const rows = await db.$queryRaw<{ agentId: string; requestedById: string }[]>`
    SELECT DISTINCT e."agentId", e."requestedById"
    FROM "Exception" e
    WHERE e."agentId" = ANY(${agentIds}::text[]) AND e."type" = 'BREAK_GLASS' AND ${ENDED_AT} IS NOT NULL
      AND e."status" IN ('APPROVED', 'EXPIRED', 'REVOKED')
      AND ${ENDED_AT} > COALESCE(
        (SELECT max(r."completedAt") FROM "Review" r WHERE r."agentId" = e."agentId"), '-infinity'::timestamptz)`;
  const byAgent = new Map<string, string[]>();
  for (const r of rows) byAgent.set(r.agentId, [...(byAgent.get(r.agentId) ?? []), r.requestedById]);
  return byAgent;
}
