import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import { z } from 'zod';

export const CredentialListQuerySchema = z.object({
  storage: z.enum(['VAULT_OR_BROKER', 'CI_SECRET', 'ENV_VAR', 'CONFIG_FILE', 'LOCAL_DISK', 'PROMPT_OR_CONTEXT']).optional().catch(undefined),
  issuance: z.enum(['STATIC', 'DYNAMIC']).optional().catch(undefined),
  environment: z.enum(['DEV', 'STAGING', 'PROD']).optional().catch(undefined),
  state: z.enum(['active', 'revoked']).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});
export type CredentialListQuery = z.infer<typeof CredentialListQuerySchema>;
export const CREDENTIALS_PAGE_SIZE = 50;

/** Credentials across agents, filtered in SQL. Metadata only: there is no value to show. */
export async function listCredentials(actor: Actor, query: CredentialListQuery) {
  requirePermission(actor, 'agent.read');
  const where: Prisma.CredentialWhereInput = {
    ...(query.storage ? { storage: query.storage } : {}),
    ...(query.issuance ? { issuance: query.issuance } : {}),
    ...(query.environment ? { environment: query.environment } : {}),
    ...(query.state === 'active' ? { revokedAt: null } : query.state === 'revoked' ? { revokedAt: { not: null } } : {}),
  };
  const [rows, total] = await Promise.all([
    getDb().credential.findMany({
      where,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      skip: (query.page - 1) * CREDENTIALS_PAGE_SIZE,
      take: CREDENTIALS_PAGE_SIZE,
      select: {
        id: true,
        name: true,
        kind: true,
        issuance: true,
        storage: true,
        environment: true,
        secretRef: true,
        privileged: true,
        boundToWorkloadIdentity: true,
        lastRotatedAt: true,
        revokedAt: true,
        agent: { select: { slug: true, name: true } },
      },
    }),
    getDb().credential.count({ where }),
  ]);
  return { rows, total };
}

/** A credential's name for a filter's caption, or null when there is none by that id. */
export async function getCredentialName(actor: Actor, id: string | null | undefined): Promise<string | null> {
  requirePermission(actor, 'agent.read');
  if (!id) return null;
  const credential = await getDb().credential.findUnique({ where: { id }, select: { name: true } });
  return credential?.name ?? null;
}

export type AgentCredentialRow = Awaited<ReturnType<typeof listAgentCredentials>>[number];

/** An agent's custody records: those in use first, by name. */
export async function listAgentCredentials(actor: Actor, agentId: string) {
  requirePermission(actor, 'agent.read');
  return getDb().credential.findMany({
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
      privileged: true,
      boundToWorkloadIdentity: true,
      lastRotatedAt: true,
      revokedAt: true,
    },
  });
}
