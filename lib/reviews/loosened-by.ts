import 'server-only';
import type { AuditActor } from '@/lib/audit';
import type { Db, Tx } from '@/lib/db';

// Who loosened what an open CREDENTIAL_LOOSENED review is about: they do not review it (reviewerProblem). The
// person behind each event that brought the trigger to the review (who issued the loose key or applied the
// loosening; a token's creator for a broker's report) and the others it names (who asked for the loosening, who
// recorded the keys of an agent put in service).

/** The person an audit actor stands for: a person, or the creator of a token; nobody for the system. */
export async function personBehind(db: Db | Tx, actor: AuditActor): Promise<string | null> {
  if (actor.type === 'USER') return actor.id;
  if (actor.type !== 'API_TOKEN' || !actor.id) return null;
  const token = await db.apiToken.findUnique({ where: { id: actor.id }, select: { createdById: true } });
  return token?.createdById ?? null;
}

/** Each agent's loosener(s), for the open review that carries CREDENTIAL_LOOSENED. */
export async function loosenedBy(db: Db | Tx, agentIds: string[]): Promise<Map<string, string[]>> {
  if (agentIds.length === 0) return new Map();
  const rows = await db.$queryRaw<{ agentId: string; userId: string }[]>`
    WITH open AS (
      SELECT r."id", r."agentId", r."createdAt" FROM "Review" r
      WHERE r."openForAgent" = ANY(${agentIds}::text[]) AND 'CREDENTIAL_LOOSENED' = ANY(r."triggers")
    ), loosening AS (
      SELECT o."agentId", e."actorType", e."actorId", e."details" FROM open o
      JOIN "AuditEvent" e ON e."agentId" = o."agentId" AND e."action" IN ('review.opened', 'review.trigger_added')
        AND e."details"->>'reviewId' = o."id"
        AND (e."details"->'triggers' ? 'CREDENTIAL_LOOSENED' OR e."details"->>'trigger' = 'CREDENTIAL_LOOSENED')
    )
    SELECT DISTINCT l."agentId", coalesce(t."createdById", l."actorId") AS "userId" FROM loosening l
    LEFT JOIN "ApiToken" t ON l."actorType" = 'API_TOKEN' AND t."id" = l."actorId"
    WHERE l."actorType" IN ('USER', 'API_TOKEN')
    UNION
    SELECT l."agentId", n."id" FROM loosening l, jsonb_array_elements_text(
      CASE WHEN jsonb_typeof(l."details"->'loosenedBy') = 'array' THEN l."details"->'loosenedBy' ELSE '[]' END
    ) AS n("id")
    UNION
    -- Who asked for a loosening applied while it is open: kept where no archive takes it (the requests themselves).
    SELECT o."agentId", c."requestedById" FROM open o
    JOIN "ChangeRequest" c ON c."agentId" = o."agentId" AND c."kind" = 'CREDENTIAL_LOOSENING'
      AND c."status" = 'APPLIED' AND c."decidedAt" >= o."createdAt"`;
  const byAgent = new Map<string, string[]>();
  for (const r of rows) if (r.userId) byAgent.set(r.agentId, [...(byAgent.get(r.agentId) ?? []), r.userId]);
  return byAgent;
}

/**
 * Everyone who recorded or loosened the agent's credentials (a token's creator for a broker's report), or asked for a
 * loosening of them: named on the review a proposed agent's loose keys open when it is put in service.
 */
export async function credentialHands(db: Db | Tx, agentId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string | null }[]>`
    SELECT DISTINCT coalesce(t."createdById", e."actorId") AS "id" FROM "AuditEvent" e
    LEFT JOIN "ApiToken" t ON e."actorType" = 'API_TOKEN' AND t."id" = e."actorId"
    WHERE e."agentId" = ${agentId} AND e."action" IN ('credential.issued', 'credential.updated')
      AND e."actorType" IN ('USER', 'API_TOKEN')
    UNION
    SELECT c."requestedById" FROM "ChangeRequest" c
    WHERE c."agentId" = ${agentId} AND c."kind" = 'CREDENTIAL_LOOSENING' AND c."status" = 'APPLIED'`;
  return rows.flatMap((r) => (r.id ? [r.id] : []));
}
