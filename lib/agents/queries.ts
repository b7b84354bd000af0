import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { AgentStatus, RiskTier } from '@/lib/generated/prisma/enums';
import type { AgentListQuery } from './schema';

export const AGENTS_PAGE_SIZE = 50;

export type AgentRow = {
  id: string;
  slug: string;
  name: string;
  status: AgentStatus;
  riskTier: RiskTier;
  owner: { id: string; name: string | null; active: boolean } | null;
  nextReviewDue: Date | null;
};

/** The filter of the agents list, as a where clause evaluated in SQL. */
export function agentWhere(query: AgentListQuery, now = new Date()): Prisma.AgentWhereInput {
  const and: Prisma.AgentWhereInput[] = [];
  if (query.q) {
    const contains = { contains: query.q, mode: 'insensitive' as const };
    and.push({ OR: [{ name: contains }, { slug: contains }, { workloadIdentity: contains }, { owner: { name: contains } }] });
  }
  if (query.status) and.push({ status: query.status });
  if (query.riskTier) and.push({ riskTier: query.riskTier });
  if (query.orphaned) {
    and.push({ status: { not: 'RETIRED' } });
    and.push({ OR: [{ ownerId: null }, { owner: { active: false } }, { controlAssignments: { some: { user: { active: false } } } }] });
  }
  if (query.reviewOverdue) and.push({ status: { in: ['ACTIVE', 'SUSPENDED'] }, nextReviewDue: { lt: now } });
  return and.length > 0 ? { AND: and } : {};
}

export async function listAgents(actor: Actor, query: AgentListQuery): Promise<{ rows: AgentRow[]; total: number }> {
  requirePermission(actor, 'agent.read');
  const where = agentWhere(query);
  const [rows, total] = await Promise.all([
    getDb().agent.findMany({
      where,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      skip: (query.page - 1) * AGENTS_PAGE_SIZE,
      take: AGENTS_PAGE_SIZE,
      select: {
        id: true,
        slug: true,
        name: true,
        status: true,
        riskTier: true,
        nextReviewDue: true,
        owner: { select: { id: true, name: true, active: true } },
      },
    }),
    getDb().agent.count({ where }),
  ]);
  return { rows, total };
}
