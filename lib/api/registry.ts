import 'server-only';
import { z } from 'zod';
import { AGENT_STATUSES, RISK_TIERS } from '@/lib/agents/schema';
import { getDb } from '@/lib/db';
import { NotFound } from '@/lib/errors';
import { reaches, reachWhere, type TokenReach } from '@/lib/tokens/reach';

// What the read API returns for agents: the registry's metadata, never a secret.
export const AgentListQuerySchema = z.object({
  after: z.string().max(64).optional().describe('Keyset cursor: the last slug of the previous page.'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  status: z.enum(AGENT_STATUSES).optional(),
  riskTier: z.enum(RISK_TIERS).optional(),
});

const person = { select: { name: true, email: true, active: true } } as const;

/** Agents the token reaches, by slug, a keyset page at a time. */
export async function apiListAgents(query: z.infer<typeof AgentListQuerySchema>, reach: TokenReach) {
  const rows = await getDb().agent.findMany({
    where: {
      AND: [
        reachWhere(reach),
        {
          ...(query.after ? { slug: { gt: query.after } } : {}),
          ...(query.status ? { status: query.status } : {}),
          ...(query.riskTier ? { riskTier: query.riskTier } : {}),
        },
      ],
    },
    orderBy: { slug: 'asc' },
    take: query.limit + 1,
    select: {
      id: true,
      slug: true,
      name: true,
      kind: true,
      status: true,
      riskTier: true,
      environments: true,
      workloadIdentity: true,
      nextReviewDue: true,
      owner: person,
    },
  });
  const page = rows.slice(0, query.limit);
  // The database filter is a LIKE (where `_` and `%` match anything): the reach rule itself has the last word.
  const agents = page.filter((a) => reaches(reach, a)).map(({ id: _id, ...a }) => a);
  return { agents, next: rows.length > query.limit ? page[page.length - 1]!.slug : null };
}

/** One agent with its owners, purposes, credential metadata and open exceptions, if the token reaches it. */
export async function apiGetAgent(slug: string, reach: TokenReach) {
  const now = new Date();
  const found = await getDb().agent.findUnique({
    where: { slug },
    select: {
      id: true,
      version: true,
      slug: true,
      name: true,
      description: true,
      kind: true,
      status: true,
      riskTier: true,
      environments: true,
      workloadIdentity: true,
      nextReviewDue: true,
      owner: person,
      controlAssignments: { select: { plane: true, user: person } },
      purposes: {
        where: { status: { not: 'EXPIRED' } },
        select: { task: true, scope: true, environments: true, status: true, expiresAt: true },
      },
      credentials: {
        select: {
          id: true,
          name: true,
          kind: true,
          issuance: true,
          storage: true,
          secretRef: true,
          environment: true,
          scope: true,
          privileged: true,
          boundToWorkloadIdentity: true,
          lastRotatedAt: true,
          revokedAt: true,
        },
      },
      exceptions: {
        where: { status: { in: ['PENDING', 'APPROVED'] }, expiresAt: { gt: now } },
        select: { id: true, type: true, status: true, startsAt: true, expiresAt: true },
      },
    },
  });
  // One answer whether it is missing or beyond the token's reach, as the write API gives: a scoped token learns
  // nothing of other agents.
  if (!found || !reaches(reach, found)) throw new NotFound(`No agent with slug ${slug} that this token reaches.`);
  const { id: _id, ...agent } = found;
  return agent;
}
