import 'server-only';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { keysetPage, keysetParams } from '@/lib/db/keyset';
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

export const PeopleListQuerySchema = z.object(keysetParams);
export type PeopleListQuery = z.infer<typeof PeopleListQuerySchema>;

/** Everyone who can sign in, by name (unnamed last), paged by keyset, with what they own and control. */
export async function listPeople(actor: Actor, query: PeopleListQuery) {
  requirePermission(actor, 'user.read');
  const db = getDb();
  const select = {
    id: true,
    name: true,
    email: true,
    roles: true,
    active: true,
    version: true,
    _count: { select: { ownedAgents: true, controlAssignments: true } },
  } as const;
  const [page, total] = await Promise.all([
    keysetPage({
      query,
      field: 'name',
      dir: 'asc',
      nullable: true,
      value: (row: { id: string; name: string | null }) => row.name,
      find: ({ where, orderBy, take }) => db.user.findMany({ where, orderBy, take, select }),
    }),
    db.user.count(),
  ]);
  const rows: PersonRow[] = page.rows.map(({ _count, ...u }) => ({
    ownedAgents: _count.ownedAgents, // before the spread, as in toRow (lib/agents/list.ts)
    controlledPlanes: _count.controlAssignments,
    ...u,
  }));
  return { ...page, rows, total };
}
