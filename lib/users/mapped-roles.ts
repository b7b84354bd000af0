import 'server-only';
import type { AuditActor, AuditEventInput } from '@/lib/audit';
import type { Tx } from '@/lib/db';
import type { Role } from '@/lib/generated/prisma/enums';

async function isLastActiveAdmin(tx: Tx, userId: string): Promise<boolean> {
  const admins = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "User" WHERE "active" AND 'ADMIN'::"Role" = ANY("roles") ORDER BY "id" FOR UPDATE`;
  return admins.length === 1 && admins[0]!.id === userId;
}

/**
 * Makes a person's roles the identity provider's (an OIDC role claim or SCIM groups, through OIDC_ROLE_MAP): the
 * provider is the authority for roles, except that it never removes the last active security lead. Writes the roles
 * when they change and returns one event per role granted or removed, for the caller to append.
 */
export async function followMappedRoles(
  tx: Tx,
  actor: AuditActor,
  person: { id: string; roles: Role[] },
  mapped: Role[],
): Promise<AuditEventInput[]> {
  const before = person.roles;
  const keepAdmin = before.includes('ADMIN') && !mapped.includes('ADMIN') && (await isLastActiveAdmin(tx, person.id));
  const roles = keepAdmin ? [...mapped, 'ADMIN' as const] : mapped;
  const events: AuditEventInput[] = [
    ...roles
      .filter((r) => !before.includes(r))
      .map((role): AuditEventInput => ({ action: 'role.granted', actor, details: { userId: person.id, role } })),
    ...before
      .filter((r) => !roles.includes(r))
      .map((role): AuditEventInput => ({ action: 'role.removed', actor, details: { userId: person.id, role } })),
  ];
  if (events.length > 0) await tx.user.update({ where: { id: person.id }, data: { roles, version: { increment: 1 } } });
  return events;
}
