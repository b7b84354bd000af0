import 'server-only';
import { z } from 'zod';
import { pageAgents, type AgentPage } from '@/lib/agents/list';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { keysetParams } from '@/lib/db/keyset';
import { Prisma } from '@/lib/generated/prisma/client';
import type { AgentStatus, ControlPlane } from '@/lib/generated/prisma/enums';
import { CONTROL_PLANE, wordOf } from '@/lib/vocabulary';

type Person = { id: string; name: string | null; active: boolean };

export type OwnershipRow = {
  id: string;
  slug: string;
  name: string;
  status: AgentStatus;
  owner: Person | null;
  planes: Record<ControlPlane, Person | null>;
};

/** The ownership matrix's URL state: a person, gaps only, a keyset cursor and a page size. */
export const OwnershipQuerySchema = z.object({
  person: z.string().max(64).optional().catch(undefined),
  gaps: z
    .enum(['1', 'true'])
    .optional()
    .catch(undefined)
    .transform((v) => v !== undefined),
  from: z.string().max(64).optional().catch(undefined),
  ...keysetParams,
});
export type OwnershipFilter = z.infer<typeof OwnershipQuerySchema>;

function ownershipFilters(filter: OwnershipFilter): Prisma.Sql {
  const and = [Prisma.sql`a."status" <> 'RETIRED'`];
  if (filter.person) {
    and.push(
      Prisma.sql`(a."ownerId" = ${filter.person} OR a."id" IN (SELECT ca."agentId" FROM "ControlAssignment" ca WHERE
        ca."userId" = ${filter.person}))`,
    );
  }
  if (filter.gaps) {
    and.push(Prisma.sql`(a."orphaned" OR a."planesAssigned" < 3)`);
  }
  return Prisma.join(and, ' AND ');
}

/** Agents in service × accountable owner and the three planes, a keyset page by name. */
export async function listOwnershipMatrix(
  actor: Actor,
  filter: OwnershipFilter,
): Promise<Omit<AgentPage, 'rows'> & { rows: OwnershipRow[] }> {
  requirePermission(actor, 'agent.read');
  const page = await pageAgents(ownershipFilters(filter), {
    sort: 'name',
    dir: 'asc',
    after: filter.after,
    before: filter.before,
    size: filter.size,
  });
  const assignments = await getDb().controlAssignment.findMany({
    where: { agentId: { in: page.rows.map((r) => r.id) } },
    select: { agentId: true, plane: true, user: { select: { id: true, name: true, active: true } } },
  });
  const rows = page.rows.map(({ id, slug, name, status, owner }) => {
    const plane = (p: ControlPlane) => assignments.find((a) => a.agentId === id && a.plane === p)?.user ?? null;
    return {
      id,
      slug,
      name,
      status,
      owner,
      planes: { IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') },
    };
  });
  return { ...page, rows };
}

export type HoldingRow = { id: string; slug: string; name: string; roles: string[] };

/** What a person owns or controls among agents in service: the preview of a bulk reassignment. */
export async function listHoldings(actor: Actor, userId: string): Promise<HoldingRow[]> {
  requirePermission(actor, 'ownership.assign');
  const agents = await getDb().agent.findMany({
    where: { status: { not: 'RETIRED' }, OR: [{ ownerId: userId }, { controlAssignments: { some: { userId } } }] },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      slug: true,
      name: true,
      ownerId: true,
      controlAssignments: { where: { userId }, select: { plane: true } },
    },
  });
  return agents.map((a) => ({
    id: a.id,
    slug: a.slug,
    name: a.name,
    roles: [
      ...(a.ownerId === userId ? ['accountable owner'] : []),
      ...a.controlAssignments.map((c) => wordOf(CONTROL_PLANE, c.plane)),
    ],
  }));
}
