import 'server-only';
import { appendAuditEvent, appendAuditEvents, type AuditEventInput } from '@/lib/audit';
import { parseRoleMap } from '@/lib/auth/oidc';
import { requirePermission, type Actor } from '@/lib/authz';
import { openChangeRequest } from '@/lib/change-requests/commands';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { getEnv } from '@/lib/env';
import { NotFound } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { Role } from '@/lib/generated/prisma/enums';
import { readInput } from '@/lib/secrets/read-input';
import { followMappedRoles } from '@/lib/users/mapped-roles';
import {
  GroupResource,
  listQueryOf,
  listResponse,
  MemberRef,
  parseEqFilter,
  PatchRequest,
  SCHEMAS,
  ScimConflict,
  ScimInvalid,
  type PatchOperation,
} from './schema';

// Groups the identity provider pushes. A group's displayName maps to roles through OIDC_ROLE_MAP, the mapping the
// OIDC role claim uses: a member's roles become those of their groups, under the same guard (the last active
// security lead keeps ADMIN). Without OIDC_ROLE_MAP, roles are managed in Custodian and groups only record members.

// A group of thousands, each member's roles read: more than Prisma's default 5 seconds.
const LONG = { timeout: 120_000, maxWait: 10_000 };
const ROLE_ORDER: Role[] = ['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'];
const PRIVILEGED: Role[] = ['ADMIN', 'PAM_APPROVER'];

const GROUP_SELECT = {
  id: true,
  displayName: true,
  externalId: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  members: { select: { user: { select: { id: true, name: true } } }, orderBy: { userId: 'asc' } },
} as const satisfies Prisma.ScimGroupSelect;
type Group = Prisma.ScimGroupGetPayload<{ select: typeof GROUP_SELECT }>;

export function groupResource(group: Group, base: string) {
  return {
    schemas: [SCHEMAS.group],
    id: group.id,
    displayName: group.displayName,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    members: group.members.map((m) => ({ value: m.user.id, display: m.user.name ?? m.user.id, type: 'User' })),
    meta: {
      resourceType: 'Group',
      created: group.createdAt.toISOString(),
      lastModified: group.updatedAt.toISOString(),
      location: `${base}/scim/v2/Groups/${group.id}`,
      version: `W/"${group.version}"`,
    },
  };
}

/**
 * Locks, in id order and before anything else the transaction locks, the people whose roles may follow their groups
 * and every active security lead (the last-lead guard reads them): one lock order whoever syncs.
 */
export async function lockForRoleSync(tx: Tx, userIds: string[]): Promise<void> {
  const ids = [...new Set(userIds)];
  await tx.$queryRaw`SELECT "id" FROM "User"
    WHERE "id" = ANY(${ids}::text[]) OR ("active" AND 'ADMIN'::"Role" = ANY("roles")) ORDER BY "id" FOR UPDATE`;
}

/**
 * The roles of these people follow their groups now (when OIDC_ROLE_MAP maps groups to roles), one event per role
 * granted or removed; the caller locked them first (lockForRoleSync). Left as they are: deactivated and deleted people,
 * and the token's creator (nobody changes their own roles). ADMIN and PAM_APPROVER are not granted here: whoever
 * holds the token could push any group, so a privileged role a group maps to becomes a change request a second
 * security lead decides, as in the console, and is withdrawn when the group no longer gives it.
 */
export async function syncGroupRoles(tx: Tx, actor: Actor, userIds: string[]): Promise<void> {
  const text = getEnv().OIDC_ROLE_MAP;
  const ids = [...new Set(userIds)].filter((id) => id !== actor.id);
  if (!text || ids.length === 0) return;
  const map = parseRoleMap(text);
  const people = await tx.user.findMany({
    where: { id: { in: ids }, active: true, scimDeletedAt: null },
    select: { id: true, roles: true, scimGroups: { select: { group: { select: { displayName: true } } } } },
    orderBy: { id: 'asc' },
  });
  const events: AuditEventInput[] = [];
  for (const person of people) {
    const mapped = new Set(person.scimGroups.flatMap((m) => map.get(m.group.displayName) ?? []));
    const asked = ROLE_ORDER.filter((r) => PRIVILEGED.includes(r) && mapped.has(r) && !person.roles.includes(r));
    const roles = ROLE_ORDER.filter((r) => mapped.has(r) && !asked.includes(r));
    events.push(...(await followMappedRoles(tx, { type: 'USER', id: actor.id }, person, roles)));
    const pending = await tx.changeRequest.findMany({
      where: { kind: 'ROLE_GRANT', targetUserId: person.id, status: 'PENDING' },
      select: { id: true, to: true, reason: true },
    });
    // A request the provider's groups opened and no longer back is withdrawn: approving it later would grant a role
    // the provider has taken away.
    for (const request of pending.filter((r) => r.reason.startsWith(SCIM_REASON))) {
      if (asked.includes((request.to as { role: Role }).role)) continue;
      await tx.changeRequest.update({
        where: { id: request.id },
        data: { status: 'WITHDRAWN', version: { increment: 1 } },
      });
      events.push({
        action: 'change.withdrawn',
        actor: { type: 'USER', id: actor.id },
        details: { changeRequestId: request.id, kind: 'ROLE_GRANT' },
      });
    }
    for (const role of asked) {
      if (pending.some((r) => (r.to as { role: Role }).role === role)) continue;
      await openChangeRequest(tx, actor, {
        kind: 'ROLE_GRANT',
        targetUserId: person.id,
        from: { roles: person.roles },
        to: { role },
        reason: `${SCIM_REASON} ${role}.`,
      });
    }
  }
  await appendAuditEvents(tx, events);
}

const SCIM_REASON = 'The identity provider (SCIM) put them in a group that maps to';

function uniqueness(error: unknown): never {
  if (isUniqueViolation(error, 'displayName')) throw new ScimConflict('A group already has that displayName.');
  if (isUniqueViolation(error, 'externalId')) throw new ScimConflict('A group already has that externalId.');
  throw error;
}

async function groupOf(tx: Tx | ReturnType<typeof getDb>, id: string): Promise<Group> {
  const group = await tx.scimGroup.findUnique({ where: { id }, select: GROUP_SELECT });
  if (!group) throw new NotFound(`No group ${id.slice(0, 64)}.`);
  return group;
}

/** Members must be people SCIM can see. */
async function memberIds(tx: Tx, refs: { value: string }[]): Promise<string[]> {
  const ids = [...new Set(refs.map((r) => r.value))];
  const found = await tx.user.findMany({ where: { id: { in: ids }, scimDeletedAt: null }, select: { id: true } });
  const missing = ids.filter((id) => !found.some((f) => f.id === id));
  if (missing.length > 0)
    throw new ScimInvalid(`No user ${missing[0]!.slice(0, 64)} to add as a member.`, 'invalidValue');
  return ids;
}

/**
 * Writes a group's name and members (the group locked by the caller), one `group.changed` event saying what changed,
 * then its members' roles (those who joined and those who left).
 */
async function writeGroup(tx: Tx, actor: Actor, id: string, next: GroupState, change: 'created' | 'updated') {
  const group = await tx.scimGroup.findUniqueOrThrow({
    where: { id },
    select: { displayName: true, externalId: true, members: { select: { userId: true } } },
  });
  const had = group.members.map((m) => m.userId);
  const leaving = had.filter((u) => !next.members.includes(u));
  const joining = next.members.filter((u) => !had.includes(u));
  const renamed = group.displayName !== next.displayName;
  if (change === 'updated' && !renamed && group.externalId === next.externalId && !leaving.length && !joining.length) {
    return;
  }
  // People (and the leads the last-lead guard reads) before the chain head: the lock order.
  await lockForRoleSync(tx, [...had, ...next.members]);
  await tx.scimGroup.update({
    where: { id },
    data: { displayName: next.displayName, externalId: next.externalId, version: { increment: 1 } },
  });
  await tx.scimGroupMember.deleteMany({ where: { groupId: id, userId: { in: leaving } } });
  await tx.scimGroupMember.createMany({ data: joining.map((userId) => ({ groupId: id, userId })) });
  await appendAuditEvent(tx, {
    action: 'group.changed',
    actor: { type: 'USER', id: actor.id },
    details: {
      groupId: id,
      displayName: next.displayName,
      change,
      added: joining,
      removed: leaving,
      ...(renamed && change === 'updated' ? { renamedFrom: group.displayName } : {}),
    },
  });
  // A renamed group maps to other roles: every member's roles are read again.
  await syncGroupRoles(tx, actor, [...had, ...next.members]);
}

export async function scimCreateGroup(actor: Actor | null, body: unknown, base: string) {
  requirePermission(actor, 'user.manage');
  const data = await readInput(GroupResource, body, actor);
  try {
    return await getDb().$transaction(async (tx) => {
      const members = await memberIds(tx, data.members ?? []);
      const { id } = await tx.scimGroup.create({
        data: { displayName: data.displayName, externalId: data.externalId ?? null },
        select: { id: true },
      });
      const state = { displayName: data.displayName, externalId: data.externalId ?? null, members };
      await writeGroup(tx, actor, id, state, 'created');
      return groupResource(await groupOf(tx, id), base);
    }, LONG);
  } catch (error) {
    uniqueness(error);
  }
}

export async function scimGetGroup(actor: Actor | null, id: string, base: string) {
  requirePermission(actor, 'user.manage');
  return groupResource(await groupOf(getDb(), id), base);
}

export async function scimListGroups(actor: Actor | null, params: Record<string, string>, base: string) {
  requirePermission(actor, 'user.manage');
  const query = listQueryOf(params);
  const filter = parseEqFilter(query.filter, ['displayName', 'externalId']);
  const where: Prisma.ScimGroupWhereInput = filter ? { [filter.attribute]: filter.value } : {};
  const order = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
  return listResponse(
    query,
    () => getDb().scimGroup.count({ where }),
    (page) => getDb().scimGroup.findMany({ where, select: GROUP_SELECT, orderBy: order, ...page }),
    (g) => groupResource(g, base),
  );
}

export async function scimReplaceGroup(actor: Actor | null, id: string, body: unknown, base: string) {
  requirePermission(actor, 'user.manage');
  const data = await readInput(GroupResource, body, actor);
  return changeGroup(
    actor,
    id,
    async (tx) => ({
      displayName: data.displayName,
      externalId: data.externalId ?? null,
      members: await memberIds(tx, data.members ?? []),
    }),
    base,
  );
}

/** PATCH /Groups/{id}: members added, removed (all, a list, or `members[value eq "id"]`) or replaced; a new name. */
export async function scimPatchGroup(actor: Actor | null, id: string, body: unknown, base: string) {
  requirePermission(actor, 'user.manage');
  const { Operations } = await readInput(PatchRequest, body, actor);
  return changeGroup(
    actor,
    id,
    async (tx, group) => {
      let next = {
        displayName: group.displayName,
        externalId: group.externalId,
        members: group.members.map((m) => m.user.id),
      };
      for (const operation of Operations) next = await patchGroup(tx, next, operation);
      return next;
    },
    base,
  );
}

export async function scimDeleteGroup(actor: Actor | null, id: string): Promise<void> {
  requirePermission(actor, 'user.manage');
  await getDb().$transaction(async (tx) => {
    // Locked first: a PATCH adding a member meanwhile waits, and its member's roles are read after the delete.
    await tx.$queryRaw`SELECT "id" FROM "ScimGroup" WHERE "id" = ${id} FOR UPDATE`;
    const group = await groupOf(tx, id);
    const members = group.members.map((m) => m.user.id);
    await lockForRoleSync(tx, members);
    await tx.scimGroup.delete({ where: { id } });
    await appendAuditEvent(tx, {
      action: 'group.changed',
      actor: { type: 'USER', id: actor.id },
      details: { groupId: id, displayName: group.displayName, change: 'deleted', added: [], removed: members },
    });
    await syncGroupRoles(tx, actor, members);
  }, LONG);
}

type GroupState = { displayName: string; externalId: string | null; members: string[] };

async function changeGroup(
  actor: Actor,
  id: string,
  next: (tx: Tx, group: Group) => Promise<GroupState>,
  base: string,
) {
  try {
    return await getDb().$transaction(async (tx) => {
      await tx.$queryRaw`SELECT "id" FROM "ScimGroup" WHERE "id" = ${id} FOR UPDATE`;
      const group = await groupOf(tx, id);
      await writeGroup(tx, actor, id, await next(tx, group), 'updated');
      return groupResource(await groupOf(tx, id), base);
    }, LONG);
  } catch (error) {
    uniqueness(error);
  }
}

async function patchGroup(tx: Tx, state: GroupState, operation: PatchOperation): Promise<GroupState> {
  const path = operation.path?.trim() ?? '';
  const refs = (value: unknown) => {
    const parsed = MemberRef.array().max(10_000).safeParse(value);
    if (!parsed.success) throw new ScimInvalid('members is a list of { "value": user id }.', 'invalidValue');
    return parsed.data;
  };
  const one = /^members\[\s*value\s+eq\s+"([^"]+)"\s*\]$/i.exec(path);
  if (one) {
    if (operation.op !== 'remove') throw new ScimInvalid('A filtered members path only removes.', 'invalidSyntax');
    return { ...state, members: state.members.filter((m) => m !== one[1]) };
  }
  if (/^members$/i.test(path)) {
    if (operation.op === 'remove') {
      const gone = operation.value === undefined ? state.members : refs(operation.value).map((r) => r.value);
      return { ...state, members: state.members.filter((m) => !gone.includes(m)) };
    }
    const added = await memberIds(tx, refs(operation.value));
    return {
      ...state,
      members: operation.op === 'replace' ? added : [...new Set([...state.members, ...added])],
    };
  }
  const attributes: [string, unknown][] =
    path === '' ? Object.entries((operation.value ?? {}) as Record<string, unknown>) : [[path, operation.value]];
  let next = state;
  for (const [attribute, value] of attributes) {
    if (/^displayName$/i.test(attribute) && operation.op !== 'remove') {
      const name = GroupResource.shape.displayName.safeParse(value);
      if (!name.success) throw new ScimInvalid('displayName takes a name.', 'invalidValue');
      next = { ...next, displayName: name.data };
    } else if (/^externalId$/i.test(attribute)) {
      const externalId = GroupResource.shape.externalId.safeParse(value);
      if (operation.op !== 'remove' && (!externalId.success || !externalId.data)) {
        throw new ScimInvalid('externalId takes a short string.', 'invalidValue');
      }
      next = { ...next, externalId: operation.op === 'remove' ? null : externalId.data! };
    } else if (/^members$/i.test(attribute)) {
      next = await patchGroup(tx, next, { op: operation.op, path: 'members', value });
    } else {
      throw new ScimInvalid(`A group has no attribute ${attribute.slice(0, 64)} to change.`, 'noTarget');
    }
  }
  return next;
}
