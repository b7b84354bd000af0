import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
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

/** Agents in service × accountable owner and the three control planes. */
export async function listOwnershipMatrix(actor: Actor): Promise<OwnershipRow[]> {
  requirePermission(actor, 'agent.read');
  const person = { select: { id: true, name: true, active: true } } as const;
  const agents = await getDb().agent.findMany({
    where: { status: { not: 'RETIRED' } },
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    take: 200,
    select: {
      id: true,
      slug: true,
      name: true,
      status: true,
      owner: person,
      controlAssignments: { select: { plane: true, user: person } },
    },
  });
  return agents.map(({ controlAssignments, ...agent }) => {
    const plane = (p: ControlPlane) => controlAssignments.find((a) => a.plane === p)?.user ?? null;
    return { ...agent, planes: { IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') } };
  });
}
