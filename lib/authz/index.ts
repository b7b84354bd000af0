import { Forbidden, Unauthenticated } from '@/lib/errors';
import type { Role } from '@/lib/generated/prisma/enums';
import { OWNER_SCOPED, PERMISSIONS, ROLE_PERMISSIONS, type Permission } from './permissions';

export { OWNER_SCOPED, PERMISSIONS, ROLE_PERMISSIONS, type Permission } from './permissions';

/** The signed-in person as the server knows them, re-read on every request. */
export type Actor = { id: string; name: string | null; email: string | null; roles: Role[] };

export function can(actor: Actor | null, permission: Permission): boolean {
  return Boolean(actor?.roles.some((role) => ROLE_PERMISSIONS[role].includes(permission)));
}

/** Throws Unauthenticated or Forbidden unless the actor holds the permission. */
export function requirePermission(actor: Actor | null, permission: Permission): asserts actor is Actor {
  if (!actor) throw new Unauthenticated();
  if (!can(actor, permission)) {
    throw new Forbidden(
      `You need permission to ${PERMISSIONS[permission].charAt(0).toLowerCase()}${PERMISSIONS[permission].slice(1)}.`,
    );
  }
}

/**
 * A permission on one agent: roles whose grant is owner-scoped (OWNER for
 * OWNER_SCOPED permissions) count only when the actor owns the agent.
 */
export function canOnAgent(actor: Actor | null, permission: Permission, agentOwnerId: string | null): boolean {
  return Boolean(
    actor?.roles.some(
      (role) =>
        ROLE_PERMISSIONS[role].includes(permission) &&
        (role !== 'OWNER' || !OWNER_SCOPED.includes(permission) || agentOwnerId === actor.id),
    ),
  );
}

export function requireAgentPermission(
  actor: Actor | null,
  permission: Permission,
  agentOwnerId: string | null,
): asserts actor is Actor {
  requirePermission(actor, permission);
  if (!canOnAgent(actor, permission, agentOwnerId)) {
    throw new Forbidden('You can change only the agents you own. Ask the accountable owner or a security lead.');
  }
}
