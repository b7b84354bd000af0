// Whether an approved purpose covers a credential: the one definition the
// scope-drift finding and the agent page's "covered by" column share.
import { Prisma } from '@/lib/generated/prisma/client';

/**
 * SQL: purpose `p` covers credential `c` at `now` when it is approved and in
 * effect, names the credential's environment, and names every entry of the
 * credential's scope: a scope is a comma- or space-separated list of `system`
 * or `system:permission`, and a purpose naming `github` covers `github:write`,
 * one naming `github:read` only that. An unstated (empty) scope reaches
 * anything, so no purpose covers it.
 */
export function purposeCovers(now: Date): Prisma.Sql {
  return Prisma.sql`(p."agentId" = c."agentId" AND p."status" = 'APPROVED'
    AND (p."expiresAt" IS NULL OR p."expiresAt" > ${now}) AND c."environment" = ANY(p."environments")
    AND btrim(c."scope") <> ''
    AND NOT EXISTS (
      SELECT 1 FROM regexp_split_to_table(lower(c."scope"), '[\\s,]+') AS t(tok)
      WHERE t.tok <> '' AND NOT EXISTS (
        SELECT 1 FROM unnest(p."scope") AS x WHERE lower(btrim(x)) IN (t.tok, split_part(t.tok, ':', 1)))))`;
}
