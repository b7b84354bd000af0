import 'server-only';
import { requirePermission, type Actor, type Permission } from '@/lib/authz';
import type { Tx } from '@/lib/db';
import type { Role } from '@/lib/generated/prisma/enums';

/**
 * The actor as the database knows them inside a long write's own transaction (each batch of an import): deactivated
 * or stripped of the permission since the write began, they write nothing more. The row is locked FOR SHARE, so a
 * deactivation waits for the batch or the batch for it, never both half-applied.
 */
export async function actorInTransaction(tx: Tx, actor: Actor, permission: Permission): Promise<Actor> {
  const [user] = await tx.$queryRaw<{ active: boolean; roles: Role[] }[]>`
    SELECT "active", "roles"::text[] AS "roles" FROM "User" WHERE "id" = ${actor.id} FOR SHARE`;
  const now = user?.active ? { ...actor, roles: user.roles } : null;
  requirePermission(now, permission);
  return now;
}
