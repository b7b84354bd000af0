import 'server-only';
import { requirePermission, type Actor, type Permission } from '@/lib/authz';
import type { Tx } from '@/lib/db';
import type { Role } from '@/lib/generated/prisma/enums';

/**
 * The actor as the database knows them inside a long write's own transaction (each batch of an import): deactivated
 * or stripped of the permission since the write began, they write nothing more. Read, not locked: a lock on the
 * person held through a batch would meet a deactivation's locks on every lead in another order.
 */
export async function actorInTransaction(tx: Tx, actor: Actor, permission: Permission): Promise<Actor> {
  const [user] = await tx.$queryRaw<{ active: boolean; roles: Role[] }[]>`
    SELECT "active", "roles"::text[] AS "roles" FROM "User" WHERE "id" = ${actor.id}`;
  const now = user?.active ? { ...actor, roles: user.roles } : null;
  requirePermission(now, permission);
  return now;
}
