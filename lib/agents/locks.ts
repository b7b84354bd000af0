import 'server-only';
import type { Tx } from '@/lib/db';

/**
 * Locks agent rows FOR UPDATE in id order. The one lock order every write
 * follows: the agent first, then its purposes, credentials, exceptions and
 * reviews, and the audit chain head last (appendAuditEvent). Taking an agent
 * lock after the chain head, or after a child row, can deadlock.
 */
export async function lockAgentRows(
  tx: Tx,
  agentIds: string[],
  options: { skipLocked?: boolean } = {},
): Promise<string[]> {
  const ids = [...new Set(agentIds)].sort();
  if (ids.length === 0) return [];
  const rows = options.skipLocked
    ? await tx.$queryRaw<
        { id: string }[]
      >`SELECT "id" FROM "Agent" WHERE "id" = ANY(${ids}::text[]) ORDER BY "id" FOR UPDATE SKIP LOCKED`
    : await tx.$queryRaw<
        { id: string }[]
      >`SELECT "id" FROM "Agent" WHERE "id" = ANY(${ids}::text[]) ORDER BY "id" FOR UPDATE`;
  return rows.map((r) => r.id);
}

/** Locks the agent a child row belongs to (looked up unlocked first), for locking the child after it. */
export async function lockParentAgent(
  tx: Tx,
  table: 'Purpose' | 'Credential' | 'Exception' | 'Review',
  id: string,
): Promise<void> {
  const [row] = await tx.$queryRawUnsafe<{ agentId: string }[]>(`SELECT "agentId" FROM "${table}" WHERE "id" = $1`, id);
  if (row) await lockAgentRows(tx, [row.agentId]);
}
