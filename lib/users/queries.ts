import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import type { Role } from '@/lib/generated/prisma/enums';

export type PersonRow = {
  id: string;
  name: string | null;
  email: string | null;
  roles: Role[];
  active: boolean;
  version: number;
  ownedAgents: number;
  controlledPlanes: number;
};

export async function listPeople(actor: Actor): Promise<PersonRow[]> {
  requirePermission(actor, 'user.read');
  const users = await getDb().user.findMany({
    orderBy: [{ name: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      name: true,
      email: true,
      roles: true,
      active: true,
      version: true,
      _count: { select: { ownedAgents: true, controlAssignments: true } },
    },
  });
  return users.map(({ _count, ...u }) => ({ ...u, ownedAgents: _count.ownedAgents, controlledPlanes: _count.controlAssignments }));
}
