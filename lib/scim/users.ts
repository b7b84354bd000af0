import 'server-only';
import { z } from 'zod';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { NotFound } from '@/lib/errors';
import type { Prisma, Role } from '@/lib/generated/prisma/client';
import { FreeText } from '@/lib/secrets/free-text';
import { readInput } from '@/lib/secrets/read-input';
import { deactivateUserIn, reactivateUserIn } from '@/lib/users/commands';
import { LATELY_DAYS } from '@/lib/users/standing';
import { lockForRoleSync, syncGroupRoles } from './groups';
import {
  listQueryOf,
  listResponse,
  parseEqFilter,
  PatchRequest,
  SCHEMAS,
  ScimBoolean,
  ScimConflict,
  ScimInvalid,
  UserResource,
  type PatchOperation,
} from './schema';

/** The roles that decide for others (separation of duties): their sign-in is not redirected by provisioning. */
const DECIDERS: Role[] = ['ADMIN', 'PAM_APPROVER', 'AUDITOR'];

/**
 * Whether the person holds a deciding role, or lost one lately (LATELY_DAYS): out of the group, renamed, back in the
 * group is a redirected sign-in all the same.
 */
async function decidesOrDidLately(tx: Tx, userId: string, roles: Role[]): Promise<boolean> {
  if (roles.some((r) => DECIDERS.includes(r))) return true;
  const [removed] = await tx.$queryRaw<{ removed: number }[]>`
    SELECT 1 AS "removed" FROM "AuditEvent" e
    WHERE e."action" = 'role.removed' AND e."details"->>'userId' = ${userId}
      AND e."details"->>'role' = ANY(${DECIDERS}::text[])
      AND e."recordedAt" > now() - make_interval(days => ${LATELY_DAYS})
    LIMIT 1`;
  return removed !== undefined;
}

// People as the identity provider provisions them. Every person is visible to SCIM (so a provider links the ones an
// admin or a sign-in created, by userName), except those it deleted: they stay, deactivated, for the timeline that
// names them, and SCIM answers 404 for them. Deactivation is the console's own, run as the token's creator.

const USER_SELECT = {
  id: true,
  name: true,
  email: true,
  externalId: true,
  active: true,
  roles: true,
  version: true,
  createdAt: true,
  updatedAt: true,
  scimGroups: { select: { group: { select: { id: true, displayName: true } } } },
} as const satisfies Prisma.UserSelect;
type Person = Prisma.UserGetPayload<{ select: typeof USER_SELECT }>;

const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });
const visible = { scimDeletedAt: null } as const;

/** A person as SCIM shows them; userName is their e-mail. */
export function userResource(person: Person, base: string) {
  return {
    schemas: [SCHEMAS.user],
    id: person.id,
    ...(person.externalId ? { externalId: person.externalId } : {}),
    userName: person.email ?? person.id,
    name: { formatted: person.name ?? '' },
    displayName: person.name ?? '',
    emails: person.email ? [{ value: person.email, primary: true, type: 'work' }] : [],
    active: person.active,
    groups: person.scimGroups.map((m) => ({ value: m.group.id, display: m.group.displayName })),
    meta: {
      resourceType: 'User',
      created: person.createdAt.toISOString(),
      lastModified: person.updatedAt.toISOString(),
      location: `${base}/scim/v2/Users/${person.id}`,
      version: `W/"${person.version}"`,
    },
  };
}

/** The fields a resource sets: the e-mail (primary, else first, else userName) and a name. */
function stateOf(resource: UserResource) {
  const emails = resource.emails ?? [];
  const email = (emails.find((e) => e.primary) ?? emails[0])?.value ?? resource.userName;
  if (!z.email().safeParse(email).success) {
    throw new ScimInvalid('userName (or the primary e-mail) must be the person’s e-mail address.', 'invalidValue');
  }
  const given = [resource.name?.givenName, resource.name?.familyName].filter(Boolean).join(' ');
  return {
    email: email.trim(),
    name: resource.displayName || resource.name?.formatted || given || email,
    externalId: resource.externalId ?? null,
    active: resource.active ?? true,
  };
}
type State = ReturnType<typeof stateOf>;

function uniqueness(error: unknown): never {
  if (isUniqueViolation(error, 'email')) throw new ScimConflict('Someone in Custodian already has that userName.');
  if (isUniqueViolation(error, 'externalId')) throw new ScimConflict('Someone already has that externalId.');
  throw error;
}

async function personOf(tx: Tx | ReturnType<typeof getDb>, id: string): Promise<Person> {
  const person = await tx.user.findFirst({ where: { id, ...visible }, select: USER_SELECT });
  if (!person) throw new NotFound(`No user ${id.slice(0, 64)}.`);
  return person;
}

/** POST /Users: provisions a person (no roles: those follow their groups). */
export async function scimCreateUser(actor: Actor | null, body: unknown, base: string) {
  requirePermission(actor, 'user.manage');
  const state = stateOf(await readInput(UserResource, body, actor));
  try {
    return await getDb().$transaction(async (tx) => {
      const taken = await tx.user.findMany({
        where: { email: { equals: state.email, mode: 'insensitive' } },
        select: { id: true, scimDeletedAt: true },
      });
      const hidden = taken.length === 1 && taken[0]!.scimDeletedAt ? taken[0]! : null;
      if (taken.length > 0 && !hidden) throw new ScimConflict('Someone in Custodian already has that userName.');
      if (hidden) await lockForRoleSync(tx, [hidden.id]);
      // The provider deleted them once and provisions them again: the same person, their row (and history) back.
      const created = hidden
        ? await tx.user.update({
            where: { id: hidden.id },
            data: { scimDeletedAt: null, name: state.name, externalId: state.externalId, version: { increment: 1 } },
            select: { id: true },
          })
        : await tx.user.create({
            data: {
              name: state.name,
              email: state.email,
              externalId: state.externalId,
              active: state.active,
              roles: [],
            },
            select: { id: true },
          });
      await appendAuditEvent(tx, {
        action: 'user.provisioned',
        actor: who(actor),
        details: { userId: created.id, userName: state.email, via: 'scim' },
      });
      if (hidden && state.active) {
        await reactivateUserIn(tx, actor, created.id);
        // The delete took them out of every group and kept the roles those gave: back, the roles are their groups'.
        await syncGroupRoles(tx, actor, [created.id]);
      }
      return userResource(await personOf(tx, created.id), base);
    });
  } catch (error) {
    uniqueness(error);
  }
}

export async function scimGetUser(actor: Actor | null, id: string, base: string) {
  requirePermission(actor, 'user.manage');
  return userResource(await personOf(getDb(), id), base);
}

/** GET /Users: filtered by userName or externalId (exact, userName in any case), a page at a time. */
export async function scimListUsers(actor: Actor | null, params: Record<string, string>, base: string) {
  requirePermission(actor, 'user.manage');
  const query = listQueryOf(params);
  const filter = parseEqFilter(query.filter, ['userName', 'externalId']);
  const where: Prisma.UserWhereInput = {
    ...visible,
    ...(filter?.attribute === 'userName' ? { email: { equals: filter.value, mode: 'insensitive' } } : {}),
    ...(filter?.attribute === 'externalId' ? { externalId: filter.value } : {}),
  };
  const order = [{ createdAt: 'asc' as const }, { id: 'asc' as const }];
  return listResponse(
    query,
    () => getDb().user.count({ where }),
    (page) => getDb().user.findMany({ where, select: USER_SELECT, orderBy: order, ...page }),
    (p) => userResource(p, base),
  );
}

/** PUT /Users/{id}: the person as the resource says (a missing active means active). */
export async function scimReplaceUser(actor: Actor | null, id: string, body: unknown, base: string) {
  requirePermission(actor, 'user.manage');
  const state = stateOf(await readInput(UserResource, body, actor));
  return applyState(actor, id, () => state, base);
}

/** PATCH /Users/{id}: add/replace/remove on active, userName, displayName, name, emails and externalId. */
export async function scimPatchUser(actor: Actor | null, id: string, body: unknown, base: string) {
  requirePermission(actor, 'user.manage');
  const { Operations } = await readInput(PatchRequest, body, actor);
  return applyState(actor, id, (current) => Operations.reduce(patchUser, current), base);
}

/** DELETE /Users/{id}: deactivates (as the console does) and hides the person from SCIM; the row stays. */
export async function scimDeleteUser(actor: Actor | null, id: string): Promise<void> {
  requirePermission(actor, 'user.manage');
  await getDb().$transaction(async (tx) => {
    await lockForRoleSync(tx, [id]);
    const person = await personOf(tx, id);
    if (person.active) await deactivateUserIn(tx, actor, id, 'Deleted in the identity provider (SCIM).');
    const groups = person.scimGroups.map((m) => m.group.displayName);
    await tx.scimGroupMember.deleteMany({ where: { userId: id } });
    await tx.user.update({ where: { id }, data: { scimDeletedAt: new Date(), version: { increment: 1 } } });
    await appendAuditEvent(tx, {
      action: 'user.deleted',
      actor: who(actor),
      details: { userId: id, via: 'scim', ...(groups.length ? { groups } : {}) },
    });
  });
}

/**
 * Moves a person to the state `next` computes from their current one: deactivation and reactivation through the
 * console's commands (reviews pass on, tokens are revoked, the last security lead stays), then the other fields, one
 * `user.updated` event naming what changed.
 */
async function applyState(actor: Actor, id: string, next: (current: State) => State, base: string) {
  try {
    return await getDb().$transaction(async (tx) => {
      // The person (and the leads the last-lead guard reads) locked before anything is read or decided.
      await lockForRoleSync(tx, [id]);
      const person = await personOf(tx, id);
      const current: State = {
        email: person.email ?? '',
        name: person.name ?? '',
        externalId: person.externalId,
        active: person.active,
      };
      const wanted = next(current);
      // A decider's e-mail is how a sign-in finds them: a token's holder does not redirect it (an auditor decides
      // redactions, so an auditor's account taken over this way would approve its taker's own).
      if (wanted.email !== current.email && (await decidesOrDidLately(tx, person.id, person.roles))) {
        throw new ScimInvalid(
          'The e-mail of a security lead, PAM approver or auditor is not changed by provisioning: it links their ' +
            'sign-in.',
          'mutability',
        );
      }
      if (wanted.active !== person.active) {
        if (wanted.active) await reactivateUserIn(tx, actor, id);
        else await deactivateUserIn(tx, actor, id, 'Deactivated in the identity provider (SCIM).');
      }
      const fields = (['email', 'name', 'externalId'] as const).filter(
        (k) => (current[k] ?? null) !== (wanted[k] ?? null),
      );
      if (fields.length > 0) {
        await tx.user.update({
          where: { id },
          data: { ...Object.fromEntries(fields.map((k) => [k, wanted[k]])), version: { increment: 1 } },
        });
        await appendAuditEvent(tx, {
          action: 'user.updated',
          actor: who(actor),
          details: {
            userId: id,
            changes: Object.fromEntries(fields.map((k) => [k, { from: current[k], to: wanted[k] }])),
            via: 'scim',
          },
        });
      }
      // Back in service, their roles are their groups' again (the sync skipped them while they were away).
      if (wanted.active && !person.active) await syncGroupRoles(tx, actor, [id]);
      return userResource(await personOf(tx, id), base);
    });
  } catch (error) {
    uniqueness(error);
  }
}

/** One PATCH operation on a person's state (RFC 7644 §3.5.2): a path, or a value object of attributes. */
function patchUser(state: State, operation: PatchOperation): State {
  const path = operation.path?.toLowerCase();
  if (operation.op === 'remove') {
    if (path === 'externalid') return { ...state, externalId: null };
    throw new ScimInvalid(`Only externalId can be removed; ${operation.path ?? 'no path'} cannot.`, 'mutability');
  }
  const attributes: [string, unknown][] = path
    ? [[path, operation.value]]
    : Object.entries((operation.value ?? {}) as Record<string, unknown>).map(([k, v]) => [k.toLowerCase(), v]);
  let next = state;
  for (const [attribute, value] of attributes) next = setAttribute(next, attribute, value);
  return next;
}

function setAttribute(state: State, attribute: string, value: unknown): State {
  const string = (v: unknown) => {
    const parsed = FreeText(320).pipe(z.string().min(1)).safeParse(v);
    if (!parsed.success) throw new ScimInvalid(`${attribute} takes a short string.`, 'invalidValue');
    return parsed.data;
  };
  switch (attribute) {
    case 'active': {
      const parsed = ScimBoolean.safeParse(value);
      if (!parsed.success) throw new ScimInvalid('active is true or false.', 'invalidValue');
      return { ...state, active: parsed.data };
    }
    case 'username':
    case 'emails[type eq "work"].value':
    case 'emails[primary eq true].value':
      return { ...state, email: emailOf(string(value)) };
    case 'emails': {
      const list = Array.isArray(value) ? (value as { value?: unknown; primary?: unknown }[]) : [];
      const chosen = list.find((e) => e?.primary === true) ?? list[0];
      return { ...state, email: emailOf(string(chosen?.value)) };
    }
    case 'displayname':
    case 'name.formatted':
      return { ...state, name: string(value) };
    case 'name': {
      const name = (value ?? {}) as { formatted?: unknown; givenName?: unknown; familyName?: unknown };
      const given = [name.givenName, name.familyName].filter((v) => typeof v === 'string' && v).join(' ');
      return { ...state, name: string(typeof name.formatted === 'string' && name.formatted ? name.formatted : given) };
    }
    case 'externalid':
      return { ...state, externalId: string(value) };
    default:
      // Attributes Custodian does not keep (title, phoneNumbers, the enterprise extension…) are accepted and ignored.
      return state;
  }
}

function emailOf(value: string): string {
  if (!z.email().safeParse(value).success) {
    throw new ScimInvalid('userName (or the primary e-mail) must be the person’s e-mail address.', 'invalidValue');
  }
  return value;
}
