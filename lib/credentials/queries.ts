import 'server-only';
import { cache } from 'react';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { cappedCount, keysetPage, keysetParams } from '@/lib/db/keyset';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { CredentialKind, CredentialStorage, Environment, Issuance } from '@/lib/generated/prisma/enums';
import { purposeCovers } from '@/lib/purposes/coverage';
import { CREDENTIAL_STORAGE, ENVIRONMENT, ISSUANCE, valuesOf } from '@/lib/vocabulary';

export const CredentialListQuerySchema = z.object({
  storage: z.enum(valuesOf(CREDENTIAL_STORAGE)).optional().catch(undefined),
  issuance: z.enum(valuesOf(ISSUANCE)).optional().catch(undefined),
  environment: z.enum(valuesOf(ENVIRONMENT)).optional().catch(undefined),
  state: z.enum(['active', 'revoked']).optional().catch(undefined),
  ...keysetParams,
});
export type CredentialListQuery = z.infer<typeof CredentialListQuerySchema>;

const credentialRow = {
  id: true,
  name: true,
  kind: true,
  issuance: true,
  storage: true,
  environment: true,
  secretRef: true,
  privileged: true,
  boundToWorkloadIdentity: true,
  gated: true,
  lastRotatedAt: true,
  revokedAt: true,
  agent: { select: { slug: true, name: true } },
} satisfies Prisma.CredentialSelect;
export type CredentialRow = Prisma.CredentialGetPayload<{ select: typeof credentialRow }>;

/** Credentials across agents, filtered in SQL and paged by keyset on name. Metadata only: there is no value to show. */
export async function listCredentials(actor: Actor, query: CredentialListQuery) {
  requirePermission(actor, 'agent.read');
  const where: Prisma.CredentialWhereInput = {
    ...(query.storage ? { storage: query.storage } : {}),
    ...(query.issuance ? { issuance: query.issuance } : {}),
    ...(query.environment ? { environment: query.environment } : {}),
    ...(query.state === 'active' ? { revokedAt: null } : query.state === 'revoked' ? { revokedAt: { not: null } } : {}),
  };
  const db = getDb();
  const [page, count] = await Promise.all([
    keysetPage<CredentialRow>({
      query,
      field: 'name',
      dir: 'asc',
      value: (row) => row.name,
      find: ({ where: after, orderBy, take }) =>
        db.credential.findMany({ where: { AND: [where, after] }, orderBy, take, select: credentialRow }),
    }),
    cappedCount(({ take }) => db.credential.count({ where, take })),
  ]);
  return { ...page, ...count };
}

/** A credential's name for a filter's caption, or null when there is none by that id. */
export async function getCredentialName(actor: Actor, id: string | null | undefined): Promise<string | null> {
  requirePermission(actor, 'agent.read');
  if (!id) return null;
  const credential = await getDb().credential.findUnique({ where: { id }, select: { name: true } });
  return credential?.name ?? null;
}

export type AgentCredentialRow = Awaited<ReturnType<typeof listAgentCredentials>>[number];

type AgentCredential = {
  id: string;
  name: string;
  kind: CredentialKind;
  issuance: Issuance;
  storage: CredentialStorage;
  environment: Environment;
  scope: string;
  secretRef: string | null;
  maxTtlSeconds: number | null;
  rotationPeriodDays: number | null;
  privileged: boolean;
  boundToWorkloadIdentity: boolean;
  gated: boolean;
  lastRotatedAt: Date | null;
  revokedAt: Date | null;
  version: number;
  purposeId: string | null;
  purposeTask: string | null;
};

/**
 * An agent's custody records, those in use first, by name, each with the approved purpose that covers it now (or
 * null: scope drift). One statement, read once per request: the credentials, exceptions and issuance sections share it.
 */
export const listAgentCredentials = cache(async (actor: Actor, agentId: string, now = new Date()) => {
  requirePermission(actor, 'agent.read');
  const rows = await getDb().$queryRaw<AgentCredential[]>`
    SELECT c."id", c."name", c."kind"::text AS "kind", c."issuance"::text AS "issuance",
           c."storage"::text AS "storage", c."environment"::text AS "environment", c."scope", c."secretRef",
           c."maxTtlSeconds", c."rotationPeriodDays", c."privileged", c."boundToWorkloadIdentity", c."gated",
           c."lastRotatedAt", c."revokedAt", c."version", p."id" AS "purposeId", p."task" AS "purposeTask"
    FROM "Credential" c
    LEFT JOIN LATERAL (
      SELECT p."id", p."task" FROM "Purpose" p WHERE ${purposeCovers(now)} ORDER BY p."createdAt", p."id" LIMIT 1
    ) p ON true
    WHERE c."agentId" = ${agentId}
    ORDER BY c."revokedAt" DESC NULLS FIRST, c."name"`;
  return rows.map(({ purposeId, purposeTask, ...c }) => ({
    coveredBy: purposeId === null ? null : { id: purposeId, task: purposeTask! }, // before the spread, as in toRow
    ...c,
  }));
});
