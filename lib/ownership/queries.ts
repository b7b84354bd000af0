import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { AgentStatus, ControlPlane } from '@/lib/generated/prisma/enums';

type Person = { id: string; name: string | null; active: boolean };

export type OwnershipRow = {
  id: string;
  slug: string;
  name: string;
  status: AgentStatus;
  owner: Person | null;
  planes: Record<ControlPlane, Person | null>;
};

export type OwnershipFilter = { person?: string; gaps?: boolean; page: number };
export const OWNERSHIP_PAGE_SIZE = 100;

/** Agents in service × accountable owner and the three planes, filtered in SQL. */
export async function listOwnershipMatrix(actor: Actor, filter: OwnershipFilter): Promise<{ rows: OwnershipRow[]; total: number }> {
  requirePermission(actor, 'agent.read');
  const and: Prisma.AgentWhereInput[] = [{ status: { not: 'RETIRED' } }];
  if (filter.person) and.push({ OR: [{ ownerId: filter.person }, { controlAssignments: { some: { userId: filter.person } } }] });
  if (filter.gaps) {
    and.push({
      OR: [
        { ownerId: null },
        { owner: { active: false } },
        { controlAssignments: { some: { user: { active: false } } } },
        ...(['IAM', 'PAM', 'PLATFORM'] as const).map((plane) => ({ controlAssignments: { none: { plane } } })),
      ],
    });
  }
  const where = { AND: and };
  const person = { select: { id: true, name: true, active: true } } as const;
  const [agents, total] = await Promise.all([
    getDb().agent.findMany({
      where,
      orderBy: [{ name: 'asc' }, { id: 'asc' }],
      skip: (filter.page - 1) * OWNERSHIP_PAGE_SIZE,
      take: OWNERSHIP_PAGE_SIZE,
      select: { id: true, slug: true, name: true, status: true, owner: person, controlAssignments: { select: { plane: true, user: person } } },
    }),
    getDb().agent.count({ where }),
  ]);
  const rows = agents.map(({ controlAssignments, ...agent }) => {
    const plane = (p: ControlPlane) => controlAssignments.find((a) => a.plane === p)?.user ?? null;
    return { ...agent, planes: { IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') } };
  });
  return { rows, total };
}

export type HoldingRow = { id: string; slug: string; name: string; roles: string[] };

/** What a person owns or controls among agents in service: the preview of a bulk reassignment. */
export async function listHoldings(actor: Actor, userId: string): Promise<HoldingRow[]> {
  requirePermission(actor, 'ownership.assign');
  const agents = await getDb().agent.findMany({
    where: { status: { not: 'RETIRED' }, OR: [{ ownerId: userId }, { controlAssignments: { some: { userId } } }] },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: { id: true, slug: true, name: true, ownerId: true, controlAssignments: { where: { userId }, select: { plane: true } } },
  });
  return agents.map((a) => ({
    id: a.id,
    slug: a.slug,
    name: a.name,
    roles: [...(a.ownerId === userId ? ['accountable owner'] : []), ...a.controlAssignments.map((c) => (c.plane === 'PLATFORM' ? 'platform security' : c.plane))],
  }));
}
