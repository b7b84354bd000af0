// SQL fragments over an exception aliased `e`, shared by the exception commands, queries and policy rules.
import { Prisma } from '@/lib/generated/prisma/client';

// The timeline names a credential on an exception's events when it covers exactly one.
export const ONLY_CREDENTIAL = Prisma.sql`(SELECT CASE WHEN count(*) = 1 THEN min(ec."credentialId") END
  FROM "ExceptionCredential" ec WHERE ec."exceptionId" = e."id")`;

// When a break-glass stopped being in force, read now: an approved one past its expiry has ended even before the
// sweeper marks it EXPIRED.
export const ENDED_AT = Prisma.sql`COALESCE(e."endedAt",
  CASE WHEN e."status" = 'APPROVED' AND e."expiresAt" <= now() THEN e."expiresAt" END)`;

/** FROM … WHERE of every (break-glass, covered credential) pair awaiting rotation, narrowed by `filter`. */
export function awaitingWhere(filter: Prisma.Sql) {
  return Prisma.sql`
    FROM "Exception" e
    JOIN "ExceptionCredential" ec ON ec."exceptionId" = e."id"
    JOIN "Credential" c ON c."id" = ec."credentialId"
    WHERE e."type" = 'BREAK_GLASS' AND e."status" IN ('APPROVED', 'EXPIRED', 'REVOKED') AND ${ENDED_AT} IS NOT NULL
      AND c."revokedAt" IS NULL AND (c."lastRotatedAt" IS NULL OR c."lastRotatedAt" <= ${ENDED_AT})
      AND ${filter}`;
}
