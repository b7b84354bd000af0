// Whether an approved purpose covers a credential: the one definition the
// scope-drift finding and the agent page's "covered by" column share.
import { Prisma } from '@/lib/generated/prisma/client';

/**
 * SQL: purpose `p` covers credential `c` at `now` when it is approved and in
 * effect, names the credential's environment, and names every system the
 * credential's scope reaches. A scope is a comma- or space-separated list of
 * `system` or `system:permission`; an empty scope reaches no named system.
 */
export function purposeCovers(now: Date): Prisma.Sql {
  return Prisma.sql`(p."agentId" = c."agentId" AND p."status" = 'APPROVED'
    AND (p."expiresAt" IS NULL OR p."expiresAt" > ${now}) AND c."environment" = ANY(p."environments")
    AND NOT EXISTS (
      SELECT 1 FROM regexp_split_to_table(lower(c."scope"), '[\\s,]+') AS t(tok)
      WHERE t.tok <> '' AND split_part(t.tok, ':', 1) <> ALL (SELECT lower(btrim(x)) FROM unnest(p."scope") AS x)))`;
}
