import 'server-only';
import type { Db, Tx } from '@/lib/db';
import { DEFAULT_SETTINGS, SETTING_KEYS } from '@/lib/settings';
import { tokenFingerprint } from '@/lib/tokens/commands';
import { describeReach, reachOf } from '@/lib/tokens/reach';
import { custodyDrift } from './custody-drift';
import { delegationDrift } from './delegation-drift';
import { exceptionDrift } from './exception-drift';
import { purposeDrift } from './purpose-drift';
import {
  type BaselineDetails,
  type Drift,
  type RegistryCheckedDetails,
  type RegistryEvent,
  type TokenRecord,
} from './registry-actions';
import { registryEvents } from './registry-events';
import { reviewDrift } from './review-drift';
import { sameMembers } from './same-members';

export type { Drift };

// The registry against its record. The chain proves what happened; these tables say what holds now, and every
// command that changes them appends the event that says so. A row that no event explains (a role granted, a token
// inserted, its scopes widened, a setting changed by hand in the database) was changed outside Custodian: the
// verifier cannot see it, so this compares the rows the controls read with the events that should have made them.

/** A recorded reach (describeReach's words) and the row's, compared as what they reach: a list in any order. */
function sameReach(recorded: string, now: string): boolean {
  const LIST = 'Agents: ';
  if (!recorded.startsWith(LIST) || !now.startsWith(LIST)) return recorded === now;
  return sameMembers(recorded.slice(LIST.length).split(', '), now.slice(LIST.length).split(', '));
}

/** Every role held that no event grants, and every one an event grants that is not held. */
async function roleDrift(db: Db | Tx, events: RegistryEvent[]): Promise<Drift[]> {
  const recorded = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.action === 'audit.baselined') {
      for (const r of (e.details as BaselineDetails).roles ?? []) recorded.set(r.userId, new Set(r.roles));
      continue;
    }
    if (e.action !== 'role.granted' && e.action !== 'role.removed') continue;
    const userId = String(e.details.userId);
    const roles = recorded.get(userId) ?? recorded.set(userId, new Set()).get(userId)!;
    if (e.action === 'role.granted') roles.add(String(e.details.role));
    else roles.delete(String(e.details.role));
  }
  const people = await db.user.findMany({ select: { id: true, name: true, roles: true }, orderBy: { id: 'asc' } });
  const drift: Drift[] = [];
  for (const p of people) {
    const granted = recorded.get(p.id) ?? new Set<string>();
    const unrecorded = p.roles.filter((r) => !granted.has(r));
    const lost = [...granted].filter((r) => !(p.roles as string[]).includes(r)).sort();
    if (unrecorded.length === 0 && lost.length === 0) continue;
    drift.push({
      kind: 'role',
      id: p.id,
      unrecorded: !recorded.has(p.id),
      subject: p.name ?? p.id,
      problem: [
        unrecorded.length ? `holds ${unrecorded.join(', ')}, which no event grants` : '',
        lost.length ? `lost ${lost.join(', ')}, which no event removes` : '',
      ]
        .filter(Boolean)
        .join('; '),
    });
  }
  return drift;
}

type TokenRow = {
  id: string;
  name: string;
  tokenHash: string;
  scopes: string[];
  agentScope: 'ALL' | 'LIST' | 'WORKLOAD_PREFIX';
  agentIds: string[];
  workloadPrefix: string | null;
  createdById: string;
  expiresAt: Date;
  revokedAt: Date | null;
  rateLimitExempt: boolean;
  slugs: string[];
};

/** The tokens as stored (those of `ids`, or all), with the slugs of the agents a list reaches. */
export function tokenRows(db: Db | Tx, ids?: string[]): Promise<TokenRow[]> {
  return db.$queryRaw<TokenRow[]>`
    SELECT t."id", t."name", t."tokenHash", t."scopes", t."agentScope"::text AS "agentScope", t."agentIds",
      t."workloadPrefix", t."createdById", t."expiresAt", t."revokedAt", t."rateLimitExempt",
      ARRAY(SELECT a."slug" FROM "Agent" a WHERE a."id" = ANY(t."agentIds") ORDER BY a."slug") AS "slugs"
    FROM "ApiToken" t WHERE ${ids === undefined} OR t."id" = ANY(${ids ?? []}::text[]) ORDER BY t."id"`;
}

/** A token as it stands, as a baseline records it. */
export function tokenAsItStands(t: TokenRow): NonNullable<BaselineDetails['tokens']>[number] {
  return {
    tokenId: t.id,
    name: t.name,
    createdById: t.createdById,
    scopes: [...new Set(t.scopes)],
    reach: describeReach(reachOf(t), t.slugs),
    expiresAt: t.expiresAt.toISOString(),
    fingerprint: tokenFingerprint(t.tokenHash),
    revoked: t.revokedAt !== null,
    ...(t.rateLimitExempt ? { rateLimitExempt: true } : {}),
  };
}

/**
 * Each token against its creation event (and revocation), or its owner's baseline: who made it, what it may do, where,
 * until when.
 */
async function tokenDrift(db: Db | Tx, events: RegistryEvent[]): Promise<Drift[]> {
  const created = new Map<string, { creator: string | null; recordedAt: Date | null; details: TokenRecord }>();
  const revoked = new Set<string>();
  for (const e of events) {
    if (e.action === 'audit.baselined') {
      for (const t of (e.details as BaselineDetails).tokens ?? []) {
        created.set(t.tokenId, { creator: t.createdById, recordedAt: e.recordedAt, details: t });
        if (t.revoked) revoked.add(t.tokenId);
        else revoked.delete(t.tokenId);
      }
      continue;
    }
    const id = String(e.details.tokenId);
    if (e.action === 'token.created' && !created.has(id))
      created.set(id, { creator: e.actorId, recordedAt: e.recordedAt, details: e.details });
    if (e.action === 'token.revoked') revoked.add(id);
  }
  const drift: Drift[] = [];
  for (const t of await tokenRows(db)) {
    const problems: string[] = [];
    const c = created.get(t.id);
    const d = c?.details ?? {};
    if (!c) problems.push('no event records its creation');
    else {
      if (c.creator !== t.createdById) problems.push('it acts as someone other than who created it');
      if (!sameMembers(t.scopes, d.scopes ?? []))
        problems.push(`its scopes are ${t.scopes.join(', ') || 'none'}, not those recorded`);
      // Tokens made before reach existed reached every agent.
      if (!sameReach(d.reach ?? 'All agents', describeReach(reachOf(t), t.slugs)))
        problems.push('it reaches other agents than recorded');
      // The exact expiry where the event records it; before, within a minute of the days it was given.
      const limit = d.expiresAt
        ? new Date(d.expiresAt).getTime()
        : (c.recordedAt?.getTime() ?? 0) + (d.expiresInDays ?? 0) * 86_400_000 + 60_000;
      if (t.expiresAt.getTime() > limit) problems.push('it expires later than recorded');
      if (d.fingerprint && d.fingerprint !== tokenFingerprint(t.tokenHash)) {
        problems.push('its stored hash is not the one recorded (another token was put in its place)');
      }
    }
    if (revoked.has(t.id) && !t.revokedAt) problems.push('it was revoked, and is live again');
    if (t.revokedAt && !revoked.has(t.id)) problems.push('it is revoked, and no event says so');
    if (t.rateLimitExempt && !d.rateLimitExempt)
      problems.push('it is exempt from the rate limit, which no command sets');
    if (problems.length)
      drift.push({
        kind: 'token',
        id: t.id,
        subject: `${t.name} (${t.id})`,
        problem: problems.join('; '),
        unrecorded: !c && !revoked.has(t.id),
      });
  }
  return drift;
}

/** Each setting against its last change: a row that no event sets, or a value no event wrote. */
async function settingDrift(db: Db | Tx, events: RegistryEvent[]): Promise<Drift[]> {
  const rows = await db.setting.findMany({ select: { key: true, value: true } });
  const stored = new Map(rows.map((r) => [r.key, r.value]));
  const last = new Map<string, unknown>();
  for (const e of events) {
    if (e.action === 'settings.changed') last.set(String(e.details.key), e.details.to);
    if (e.action === 'audit.baselined')
      for (const b of (e.details as BaselineDetails).settings ?? []) last.set(b.key, b.value);
  }
  const drift: Drift[] = [];
  for (const key of SETTING_KEYS) {
    const value = stored.get(key);
    // With no row, the default holds: what the last event set must be it.
    const now = JSON.stringify(value === undefined ? DEFAULT_SETTINGS[key] : value);
    const want = last.has(key) ? JSON.stringify(last.get(key)) : JSON.stringify(DEFAULT_SETTINGS[key]);
    if (!equalJson(now, want)) {
      drift.push({
        kind: 'setting',
        id: key,
        unrecorded: !last.has(key),
        subject: key,
        problem: last.has(key)
          ? 'its value is not the one its last change recorded'
          : 'it was set, and no event says so',
      });
    }
  }
  return drift;
}

/** JSON texts equal as values (key order aside, as jsonb keeps it). */
function equalJson(a: string, b: string): boolean {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([x], [y]) => (x < y ? -1 : 1))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort(JSON.parse(a))) === JSON.stringify(sort(JSON.parse(b)));
}

/**
 * What a registry check found, and what it replayed: the events it credited, up to the signed head `through`; and the
 * last check the chain records among them (what the tripwire compares with).
 */
export type RegistryCheckRun = {
  drift: Drift[];
  through: bigint;
  replayed: { seq: bigint; action: string }[];
  lastCheck: RegistryCheckedDetails | null;
  /** Whether the walk to the signed head (from where the last check's replay ended, or the start) found a break. */
  walkBroken: boolean;
};

/**
 * Every role, API token, setting, exception in force, credential, agent, purpose, delegation grant and review that its
 * events do not explain (changed outside Custodian), and every event it would replay that was altered, read in the
 * caller's transaction. `walk: false` leaves out the walk from the last check to the signed head (the tripwire's, not
 * what a baseline vouches for: after an upgrade it walks the whole chain, minutes at scale, under the chain head's
 * lock).
 */
export async function registryCheckIn(db: Tx, options = { walk: true }): Promise<RegistryCheckRun> {
  const { events, altered, through, lastCheck, walkBroken, rotationsUncarriedThrough } = await registryEvents(
    db,
    options,
  );
  // One after another: in a transaction (the baseline's) the client has one connection.
  const roles = await roleDrift(db, events);
  const tokens = await tokenDrift(db, events);
  const settings = await settingDrift(db, events);
  const exceptions = await exceptionDrift(db, events);
  const custody = await custodyDrift(db, events, rotationsUncarriedThrough);
  const purposes = await purposeDrift(db, events);
  const delegations = await delegationDrift(db, events);
  const reviews = await reviewDrift(db, events);
  const drift = [
    ...altered,
    ...roles,
    ...tokens,
    ...settings,
    ...exceptions,
    ...custody,
    ...purposes,
    ...delegations,
    ...reviews,
  ];
  const replayed = events.map((e) => ({ seq: e.seq, action: e.action }));
  return { drift, through, replayed, lastCheck, walkBroken };
}

/**
 * The registry check, in one read-only snapshot: a command that commits while it reads (a credential issued between
 * reading the events and the rows) is in both or in neither, so it is never taken for a change made outside Custodian.
 */
export function registryCheckRun(db: Db): Promise<RegistryCheckRun> {
  return db.$transaction(
    async (tx) => {
      await tx.$executeRaw`SET TRANSACTION READ ONLY`;
      return registryCheckIn(tx);
    },
    { isolationLevel: 'RepeatableRead', timeout: 15 * 60_000, maxWait: 60_000 },
  );
}

/** The registry check's rows (registryCheckRun). */
export async function registryDrift(db: Db): Promise<Drift[]> {
  return (await registryCheckRun(db)).drift;
}
