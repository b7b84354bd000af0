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
