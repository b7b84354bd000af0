import 'server-only';
import { lockAgentRows } from '@/lib/agents/locks';
import { appendAuditEvent, appendAuditEvents } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { assertNoPendingRequest, openChangeRequest } from '@/lib/change-requests/commands';
import { getDb, type Tx } from '@/lib/db';
import { Conflict, Forbidden, Invalid, NotFound } from '@/lib/errors';
import type { Role } from '@/lib/generated/prisma/enums';
import { afterPersonDeparted } from '@/lib/reviews/triggers';
import { lockForRoleSync, syncGroupRoles } from '@/lib/scim/groups';
import { readInput } from '@/lib/secrets/read-input';
import { labelOf, ROLE } from '@/lib/vocabulary';
import { ChangeRoleSchema, DeactivateUserSchema, ReactivateUserSchema } from './schema';

const LAST_ADMIN = 'Custodian needs at least one active security lead (ADMIN). Grant ADMIN to someone else first.';

/** Loads the person at the version the form saw (any version: a provisioning client's), or says why not. */
async function lockAtVersion(tx: Tx, userId: string, version: number | undefined) {
  const [row] = await tx.$queryRaw<{ id: string; version: number; roles: string[]; active: boolean }[]>`
    SELECT "id", "version", "roles"::text[] AS "roles", "active" FROM "User" WHERE "id" = ${userId} FOR UPDATE`;
  if (!row) throw new NotFound('That person does not exist.');
  if (version !== undefined && row.version !== version)
    throw new Conflict('This person was changed by someone else. Reload the page and try again.');
  return row;
}

/** Locks every active ADMIN and refuses when `userId` is the last one. */
async function assertNotLastAdmin(tx: Tx, userId: string) {
  const admins = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "User" WHERE "active" AND 'ADMIN'::"Role" = ANY("roles") ORDER BY "id" FOR UPDATE`;
  if (admins.some((a) => a.id === userId) && admins.length <= 1) throw new Invalid(LAST_ADMIN);
}

/** Roles that let a person decide for others: granting one takes a second security lead. */
const PRIVILEGED: Role[] = ['ADMIN', 'PAM_APPROVER'];
const NOT_YOURSELF = 'Nobody changes their own roles: ask another security lead.';

/**
 * Grants a role. Nobody grants one to themselves; ADMIN and PAM_APPROVER
 * become a change request that a second security lead applies.
 */
export async function grantRole(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'user.manage');
  const { userId, role, version, reason } = await readInput(ChangeRoleSchema, input, actor);
  if (userId === actor.id) throw new Forbidden(NOT_YOURSELF);
  return getDb().$transaction(async (tx) => {
    const person = await lockAtVersion(tx, userId, version);
    if (person.roles.includes(role)) throw new Invalid(`They already hold ${labelOf(ROLE, role)}.`);
    if (PRIVILEGED.includes(role)) {
      await assertNoPendingRequest(tx, { kind: 'ROLE_GRANT', targetUserId: userId });
      await openChangeRequest(tx, actor, {
        kind: 'ROLE_GRANT',
        targetUserId: userId,
        from: { roles: person.roles },
        to: { role },
        reason: reason ?? `Grant ${labelOf(ROLE, role)}.`,
      });
      return `Pending approval: ${labelOf(ROLE, role)} takes a second security lead, who applies it from Changes.`;
    }
    await tx.user.update({ where: { id: userId }, data: { roles: { push: role }, version: { increment: 1 } } });
    await appendAuditEvent(tx, {
      action: 'role.granted',
      actor: { type: 'USER', id: actor.id },
      details: { userId, role },
    });
    return `${labelOf(ROLE, role)} granted.`;
  });
}

export async function removeRole(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'user.manage');
  const { userId, role, version } = await readInput(ChangeRoleSchema, input, actor);
  if (userId === actor.id) throw new Forbidden(NOT_YOURSELF);
  return getDb().$transaction(async (tx) => {
    if (role === 'ADMIN') await assertNotLastAdmin(tx, userId);
    const person = await lockAtVersion(tx, userId, version);
    if (!person.roles.includes(role)) throw new Invalid(`They do not hold ${labelOf(ROLE, role)}.`);
    await tx.user.update({
      where: { id: userId },
      data: { roles: person.roles.filter((r) => r !== role) as never, version: { increment: 1 } },
    });
    await appendAuditEvent(tx, {
      action: 'role.removed',
      actor: { type: 'USER', id: actor.id },
      details: { userId, role },
    });
    return `${labelOf(ROLE, role)} removed.`;
  });
}

/**
 * Deactivation ends the person's access on their next request; every agent
 * they own or control shows as orphaned until reassigned.
 */
export async function deactivateUser(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'user.manage');
  const { userId, version, reason } = await readInput(DeactivateUserSchema, input, actor);
  return getDb().$transaction((tx) => deactivateUserIn(tx, actor, userId, reason, version));
}

/** deactivateUser inside the caller's transaction (SCIM's deprovisioning passes no version). */
export async function deactivateUserIn(
  tx: Tx,
  actor: Actor,
  userId: string,
  reason: string | undefined,
  version?: number,
): Promise<string> {
  await assertNotLastAdmin(tx, userId);
  const person = await lockAtVersion(tx, userId, version);
  if (!person.active) throw new Invalid('They are already deactivated.');
  // Their agents and the agents they review get reviews below: lock those agents before the chain head (the lock
  // order).
  const affected = await tx.agent.findMany({
    where: { OR: [{ ownerId: userId }, { reviews: { some: { reviewerId: userId, completedAt: null } } }] },
    select: { id: true },
  });
  await lockAgentRows(
    tx,
    affected.map((a) => a.id),
  );
  await tx.user.update({ where: { id: userId }, data: { active: false, version: { increment: 1 } } });
  await appendAuditEvent(tx, {
    action: 'user.deactivated',
    actor: { type: 'USER', id: actor.id },
    details: { userId, reason },
  });
  // A token acts as its creator: theirs stop with them, each revocation on the timeline.
  const tokens = await tx.apiToken.findMany({
    where: { createdById: userId, revokedAt: null },
    select: { id: true },
  });
  if (tokens.length > 0) {
    await tx.apiToken.updateMany({
      where: { id: { in: tokens.map((t) => t.id) } },
      data: { revokedAt: new Date(), version: { increment: 1 } },
    });
    await appendAuditEvents(
      tx,
      tokens.map((t) => ({
        action: 'token.revoked' as const,
        actor: { type: 'USER' as const, id: actor.id },
        details: { tokenId: t.id, reason: 'its creator was deactivated' },
      })),
    );
  }
  const { reviewsOpened, reviewsReassigned } = await afterPersonDeparted(tx, { type: 'USER', id: actor.id }, userId);
  const reviews = [
    reviewsOpened ? `${reviewsOpened} of their agents now have an owner-departed review` : '',
    reviewsReassigned ? `${reviewsReassigned} review(s) they were to do passed to another reviewer` : '',
  ].filter(Boolean);
  return (
    `Deactivated. Their agents and control planes now show as orphaned until ` +
    `reassigned${reviews.length ? `; ${reviews.join('; ')}` : ''}.`
  );
}

export async function reactivateUser(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'user.manage');
  const { userId, version } = await readInput(ReactivateUserSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    await lockForRoleSync(tx, [userId]);
    // Someone the identity provider deleted comes back through it, with their groups' roles: reactivated here, they
    // would bring back the roles the delete left on their row, a lead's included, with no second person.
    const person = await tx.user.findUnique({ where: { id: userId }, select: { scimDeletedAt: true } });
    if (person?.scimDeletedAt) {
      throw new Invalid(
        'The identity provider deleted them: it provisions them again (SCIM), with their groups’ roles.',
      );
    }
    const message = await reactivateUserIn(tx, actor, userId, version);
    // Someone the provider provisioned is back with their groups' roles, as when it reactivates them; roles managed
    // in the console stay as they were.
    const [provisioned] = await tx.$queryRaw<{ provisioned: number }[]>`
      SELECT 1 AS "provisioned" FROM "AuditEvent" e
      WHERE e."action" = 'user.provisioned' AND e."details"->>'userId' = ${userId} LIMIT 1`;
    if (provisioned) await syncGroupRoles(tx, actor, [userId]);
    return message;
  });
}

/** reactivateUser inside the caller's transaction (SCIM's reprovisioning passes no version). */
export async function reactivateUserIn(tx: Tx, actor: Actor, userId: string, version?: number): Promise<string> {
  const person = await lockAtVersion(tx, userId, version);
  if (person.active) throw new Invalid('They are already active.');
  await tx.user.update({ where: { id: userId }, data: { active: true, version: { increment: 1 } } });
  await appendAuditEvent(tx, {
    action: 'user.reactivated',
    actor: { type: 'USER', id: actor.id },
    details: { userId },
  });
  return 'Reactivated.';
}
