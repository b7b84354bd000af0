import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { AgentKind, AgentStatus, ControlPlane, Environment, RiskTier } from '@/lib/generated/prisma/enums';
import type { AgentListQuery } from './schema';

type Person = { id: string; name: string | null; active: boolean };

export type AgentRow = {
  id: string;
  slug: string;
  name: string;
  kind: AgentKind;
  status: AgentStatus;
  riskTier: RiskTier;
  environments: Environment[];
  workloadIdentity: string | null;
  owner: Person | null;
  planesAssigned: number;
  nextReviewDue: Date | null;
  createdAt: Date;
};

/** The agents list's filters as one where clause, evaluated in SQL. */
export function agentWhere(query: AgentListQuery, now = new Date()): Prisma.AgentWhereInput {
  const and: Prisma.AgentWhereInput[] = [];
  if (query.q) {
    const contains = { contains: query.q, mode: 'insensitive' as const };
    and.push({ OR: [{ name: contains }, { slug: contains }, { workloadIdentity: contains }, { owner: { name: contains } }] });
  }
  if (query.status) and.push({ status: query.status });
  if (query.riskTier) and.push({ riskTier: query.riskTier });
  if (query.environment) and.push({ environments: { has: query.environment } });
  if (query.kind) and.push({ kind: query.kind });
  if (query.owner) and.push({ ownerId: query.owner });
  if (query.planeUnassigned) {
    and.push({ status: { not: 'RETIRED' } });
    and.push({ OR: (['IAM', 'PAM', 'PLATFORM'] as const).map((plane) => ({ controlAssignments: { none: { plane } } })) });
  }
  if (query.orphaned) {
    and.push({ status: { not: 'RETIRED' } });
    and.push({ OR: [{ ownerId: null }, { owner: { active: false } }, { controlAssignments: { some: { user: { active: false } } } }] });
  }
  // One open review per agent: agents with an overdue review number exactly the overdue reviews.
  if (query.reviewOverdue) and.push({ reviews: { some: { completedAt: null, dueAt: { lt: now } } } });
  return and.length > 0 ? { AND: and } : {};
}

function agentOrder(query: AgentListQuery): Prisma.AgentOrderByWithRelationInput[] {
  const dir = query.dir;
  const key: Prisma.AgentOrderByWithRelationInput =
    query.sort === 'nextReviewDue' ? { nextReviewDue: { sort: dir, nulls: 'last' } } : { [query.sort]: dir };
  return [key, { id: dir }];
}

const rowSelect = {
  id: true,
  slug: true,
  name: true,
  kind: true,
  status: true,
  riskTier: true,
  environments: true,
  workloadIdentity: true,
  nextReviewDue: true,
  createdAt: true,
  owner: { select: { id: true, name: true, active: true } },
  _count: { select: { controlAssignments: true } },
} satisfies Prisma.AgentSelect;

function toRow({ _count, ...agent }: Prisma.AgentGetPayload<{ select: typeof rowSelect }>): AgentRow {
  return { ...agent, planesAssigned: _count.controlAssignments };
}

export async function listAgents(actor: Actor, query: AgentListQuery): Promise<{ rows: AgentRow[]; total: number }> {
  requirePermission(actor, 'agent.read');
  const where = agentWhere(query);
  const [rows, total] = await Promise.all([
    getDb().agent.findMany({ where, orderBy: agentOrder(query), skip: (query.page - 1) * query.size, take: query.size, select: rowSelect }),
    getDb().agent.count({ where }),
  ]);
  return { rows: rows.map(toRow), total };
}

/** Every agent matching the list's filters, in its order, a batch at a time (for CSV export). */
export async function* iterateAgents(actor: Actor, query: AgentListQuery, batch = 500): AsyncGenerator<AgentRow[]> {
  requirePermission(actor, 'agent.read');
  const where = agentWhere(query);
  let cursor: string | undefined;
  for (;;) {
    const rows = await getDb().agent.findMany({
      where,
      orderBy: agentOrder(query),
      take: batch,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: rowSelect,
    });
    if (rows.length === 0) return;
    yield rows.map(toRow);
    if (rows.length < batch) return;
    cursor = rows[rows.length - 1]!.id;
  }
}

export type AgentDetail = NonNullable<Awaited<ReturnType<typeof getAgentBySlug>>>;

/** One agent with everything its page shows. */
export async function getAgentBySlug(actor: Actor, slug: string) {
  requirePermission(actor, 'agent.read');
  const person = { select: { id: true, name: true, active: true } } as const;
  const agent = await getDb().agent.findUnique({
    where: { slug },
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      kind: true,
      workloadIdentity: true,
      environments: true,
      riskTier: true,
      status: true,
      reviewCadenceDays: true,
      nextReviewDue: true,
      version: true,
      createdAt: true,
      updatedAt: true,
      owner: person,
      controlAssignments: { select: { plane: true, assignedAt: true, user: person } },
      purposes: {
        orderBy: [{ status: 'asc' }, { createdAt: 'asc' }],
        select: { id: true, task: true, scope: true, environments: true, status: true, expiresAt: true, approvedAt: true, version: true, approvedBy: { select: { name: true } } },
      },
      credentials: {
        orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { name: 'asc' }],
        select: { id: true, name: true, kind: true, issuance: true, storage: true, environment: true, secretRef: true, privileged: true, boundToWorkloadIdentity: true, lastRotatedAt: true, revokedAt: true },
      },
      exceptions: {
        orderBy: { createdAt: 'desc' },
        take: 50,
        select: { id: true, type: true, status: true, startsAt: true, expiresAt: true, requestedBy: { select: { name: true } } },
      },
      reviews: {
        orderBy: { createdAt: 'desc' },
        take: 20,
        select: { id: true, triggers: true, dueAt: true, completedAt: true, outcome: true, reviewer: { select: { name: true } } },
      },
    },
  });
  if (!agent) return null;
  const plane = (p: ControlPlane) => agent.controlAssignments.find((a) => a.plane === p) ?? null;
  return { ...agent, planes: { IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') } };
}

/** Active people, for the owner pickers. */
export async function listActivePeople(actor: Actor): Promise<{ id: string; name: string | null; email: string | null }[]> {
  requirePermission(actor, 'agent.read');
  return getDb().user.findMany({
    where: { active: true },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, name: true, email: true },
    take: 1000,
  });
}
