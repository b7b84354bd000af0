// Every server action and every route handler in app/, discovered from the
// code, × every role, signed out and deactivated: allowed or denied as the
// policy table says, and a denied call changes no row. A new action or route
// that is not in POLICY below fails this test until someone decides its rule.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { can, type Actor, type Permission } from '@/lib/authz';
import type { ActionState } from '@/lib/http/action-state';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';

const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('@/lib/auth/session-id', () => ({ getSessionUserId: async () => session.userId }));
vi.mock('next/cache', () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

const APP = path.resolve(import.meta.dirname, '../../app');

function discover(fileName: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === fileName) found.push(path.relative(APP, full));
    }
  };
  walk(APP);
  return found.sort();
}

type Fixture = { target: Actor & { version: number } };
type Rule = { permission: Permission; input: (f: Fixture) => Record<string, string> } | { public: string };

// The rule of every action (file#export) and route (file#METHOD).
const POLICY: Record<string, Rule> = {
  '(console)/people/actions.ts#grantRoleAction': {
    permission: 'user.manage',
    input: ({ target }) => ({ userId: target.id, role: 'AUDITOR', version: String(target.version) }),
  },
  '(console)/people/actions.ts#removeRoleAction': {
    permission: 'user.manage',
    input: ({ target }) => ({ userId: target.id, role: 'OWNER', version: String(target.version) }),
  },
  '(console)/people/actions.ts#deactivateUserAction': {
    permission: 'user.manage',
    input: ({ target }) => ({ userId: target.id, reason: 'Matrix test', version: String(target.version) }),
  },
  '(console)/people/actions.ts#reactivateUserAction': {
    permission: 'user.manage',
    input: ({ target }) => ({ userId: target.id, version: String(target.version) }),
  },
  'api/health/route.ts#GET': { public: 'liveness for load balancers; reveals no governed data' },
  'api/auth/[...nextauth]/route.ts#GET': { public: 'next-auth: sign-in itself' },
  'api/auth/[...nextauth]/route.ts#POST': { public: 'next-auth: sign-in itself' },
};

type Caller = { label: string; actor: Actor | null; sessionUserId: string | null };

const callers: Caller[] = [];
beforeAll(async () => {
  for (const role of ['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'] as const) {
    const person = await createPerson([role]);
    callers.push({ label: role, actor: person, sessionUserId: person.id });
  }
  const everything = await createPerson(['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'], { active: false });
  callers.push({ label: 'deactivated (all roles)', actor: null, sessionUserId: everything.id });
  callers.push({ label: 'no role', actor: { ...(await createPerson([])) }, sessionUserId: null });
  callers[callers.length - 1]!.sessionUserId = callers[callers.length - 1]!.actor!.id;
  callers.push({ label: 'signed out', actor: null, sessionUserId: null });
});

const actionEntries = await Promise.all(
  discover('actions.ts').map(async (file) => {
    const exported = (await import(path.join(APP, file))) as Record<string, unknown>;
    return Object.entries(exported)
      .filter(([, value]) => typeof value === 'function')
      .map(([name, fn]) => ({ key: `${file}#${name}`, fn: fn as (s: ActionState, f: FormData) => Promise<ActionState> }));
  }),
).then((lists) => lists.flat());

const routeEntries = await Promise.all(
  discover('route.ts').map(async (file) => {
    const exported = (await import(path.join(APP, file))) as Record<string, unknown>;
    return ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => typeof exported[m] === 'function').map((m) => `${file}#${m}`);
  }),
).then((lists) => lists.flat());

describe('authorisation matrix', () => {
  it('discovers the actions and routes, and every one has a rule', () => {
    expect(actionEntries.length).toBeGreaterThanOrEqual(4);
    expect(routeEntries).toContain('api/health/route.ts#GET');
    const missing = [...actionEntries.map((a) => a.key), ...routeEntries].filter((key) => !POLICY[key]);
    expect(missing, 'actions or routes without a rule in POLICY').toEqual([]);
    const unexercised = routeEntries.filter((key) => POLICY[key] && !('public' in POLICY[key]));
    expect(unexercised, 'protected routes need a request fixture in this test before they can be added').toEqual([]);
    const stale = Object.keys(POLICY).filter((key) => !actionEntries.some((a) => a.key === key) && !routeEntries.includes(key));
    expect(stale, 'rules for actions or routes that no longer exist').toEqual([]);
  });

  for (const { key, fn } of actionEntries) {
    it(`${key}: allowed exactly for the roles the policy grants; a denied call changes nothing`, async () => {
      const rule = POLICY[key];
      if (!rule || 'public' in rule) throw new Error(`${key} has no permission rule`);
      for (const caller of callers) {
        const target = await createPerson(['OWNER'], { active: !key.includes('reactivate') });
        const form = new FormData();
        for (const [k, v] of Object.entries(rule.input({ target }))) form.set(k, v);
        session.userId = caller.sessionUserId;
        const before = await databaseFingerprint();
        const state = await fn({ ok: false, message: null }, form);
        const allowed = can(caller.actor, rule.permission);
        if (allowed) {
          expect(state, `${caller.label} should be allowed to call ${key}`).toMatchObject({ ok: true });
        } else {
          expect(state.ok, `${caller.label} must be refused ${key}`).toBe(false);
          expect(state.message).toMatch(caller.actor ? /permission/ : /Sign in/);
          expect(await databaseFingerprint(), `${caller.label} calling ${key} changed rows`).toEqual(before);
        }
      }
    });
  }
});
