import 'server-only';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { cappedCount, keysetPage, keysetParams } from '@/lib/db/keyset';
import type { Prisma } from '@/lib/generated/prisma/client';
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

/**
 * An agent's custody records, those in use first, by name, each with the
 * approved purpose that covers it now (or null: scope drift).
 */
export async function listAgentCredentials(actor: Actor, agentId: string, now = new Date()) {
  requirePermission(actor, 'agent.read');
  const db = getDb();
  const [credentials, coverage] = await Promise.all([
    db.credential.findMany({
      where: { agentId },
      orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { name: 'asc' }],
      select: {
        id: true,
        name: true,
        kind: true,
        issuance: true,
        storage: true,
        environment: true,
        scope: true,
        secretRef: true,
        maxTtlSeconds: true,
        rotationPeriodDays: true,
        privileged: true,
        boundToWorkloadIdentity: true,
        gated: true,
        lastRotatedAt: true,
        revokedAt: true,
        version: true,
      },
    }),
    db.$queryRaw<{ id: string; purposeId: string | null; task: string | null }[]>`
      SELECT c."id", p."id" AS "purposeId", p."task"
      FROM "Credential" c
      LEFT JOIN LATERAL (
        SELECT p."id", p."task" FROM "Purpose" p WHERE ${purposeCovers(now)} ORDER BY p."createdAt", p."id" LIMIT 1
      ) p ON true
      WHERE c."agentId" = ${agentId}`,
  ]);
  const coveredBy = new Map(coverage.map((r) => [r.id, r.purposeId ? { id: r.purposeId, task: r.task! } : null]));
  return credentials.map((c) => ({ ...c, coveredBy: coveredBy.get(c.id) ?? null }));
}
