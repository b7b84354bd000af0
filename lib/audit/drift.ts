import 'server-only';
import { createHash } from 'node:crypto';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { DEFAULT_SETTINGS, SETTING_KEYS } from '@/lib/settings';
import { describeReach, reachOf } from '@/lib/tokens/reach';

// The registry against its record. The chain proves what happened; these tables say what holds now, and every
// command that changes them appends the event that says so. A row that no event explains (a role granted, a token
// inserted, its scopes widened, a setting changed by hand in the database) was changed outside Custodian: the
// verifier cannot see it, so this compares the rows the controls read with the events that should have made them.

export type Drift = { kind: 'role' | 'token' | 'setting'; subject: string; problem: string };

/** A token's fingerprint as its creation event records it: a digest of its stored hash, never the token. */
export const tokenFingerprint = (tokenHash: string) => createHash('sha256').update(tokenHash).digest('hex');

const LIMIT = 200;
const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x) => b.includes(x));

/** Every role held that the last role event for it does not grant, and every granted one not held. */
async function roleDrift(db: Db): Promise<Drift[]> {
  const rows = await db.$queryRaw<{ id: string; name: string | null; held: string[]; recorded: string[] }[]>`
    WITH last AS (
      SELECT DISTINCT ON (e."details"->>'userId', e."details"->>'role')
        e."details"->>'userId' AS "userId", e."details"->>'role' AS "role", e."action"
      FROM "AuditEvent" e WHERE e."action" IN ('role.granted', 'role.removed')
      ORDER BY e."details"->>'userId', e."details"->>'role', e."seq" DESC
    ), recorded AS (
      SELECT "userId", array_agg("role" ORDER BY "role") AS "roles" FROM last
      WHERE "action" = 'role.granted' GROUP BY "userId"
    )
    SELECT u."id", u."name", u."roles"::text[] AS "held", coalesce(r."roles", '{}') AS "recorded"
    FROM "User" u LEFT JOIN recorded r ON r."userId" = u."id"
    WHERE NOT (u."roles"::text[] @> coalesce(r."roles", '{}') AND coalesce(r."roles", '{}') @> u."roles"::text[])
    ORDER BY u."id" LIMIT ${LIMIT}`;
  return rows.map((r) => {
    const unrecorded = r.held.filter((x) => !r.recorded.includes(x));
    const lost = r.recorded.filter((x) => !r.held.includes(x));
    return {
      kind: 'role',
      subject: r.name ?? r.id,
      problem: [
        unrecorded.length ? `holds ${unrecorded.join(', ')}, which no event grants` : '',
        lost.length ? `lost ${lost.join(', ')}, which no event removes` : '',
      ]
        .filter(Boolean)
        .join('; '),
    };
  });
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
  created: {
    actorId: string | null;
    recordedAt: Date;
    details: {
      scopes?: string[];
      reach?: string;
      expiresInDays?: number;
      expiresAt?: string;
      fingerprint?: string;
    };
  } | null;
  revoked: boolean;
};

/** Each token against its creation event (and revocation): who made it, what it may do, where, until when. */
async function tokenDrift(db: Db): Promise<Drift[]> {
  const rows = await db.$queryRaw<TokenRow[]>`
    WITH created AS (
      SELECT DISTINCT ON (e."details"->>'tokenId') e."details"->>'tokenId' AS "tokenId",
        json_build_object('actorId', e."actorId", 'recordedAt', e."recordedAt", 'details', e."details") AS "event"
      FROM "AuditEvent" e WHERE e."action" = 'token.created' ORDER BY e."details"->>'tokenId', e."seq"
    ), revoked AS (
      SELECT DISTINCT e."details"->>'tokenId' AS "tokenId" FROM "AuditEvent" e WHERE e."action" = 'token.revoked'
    )
    SELECT t."id", t."name", t."tokenHash", t."scopes", t."agentScope"::text AS "agentScope", t."agentIds",
      t."workloadPrefix", t."createdById", t."expiresAt", t."revokedAt", t."rateLimitExempt",
      ARRAY(SELECT a."slug" FROM "Agent" a WHERE a."id" = ANY(t."agentIds") ORDER BY a."slug") AS "slugs",
      c."event" AS "created", r."tokenId" IS NOT NULL AS "revoked"
    FROM "ApiToken" t LEFT JOIN created c ON c."tokenId" = t."id" LEFT JOIN revoked r ON r."tokenId" = t."id"
    ORDER BY t."id"`;
  const drift: Drift[] = [];
  for (const t of rows) {
    const problems: string[] = [];
    const c = t.created;
    if (!c) problems.push('no event records its creation');
    else {
      const d = c.details;
      if (c.actorId !== t.createdById) problems.push('it acts as someone other than who created it');
      if (!same(t.scopes, d.scopes ?? []))
        problems.push(`its scopes are ${t.scopes.join(', ') || 'none'}, not those recorded`);
      // Tokens made before reach existed reached every agent.
      if ((d.reach ?? 'All agents') !== describeReach(reachOf(t), t.slugs))
        problems.push('it reaches other agents than recorded');
      // The exact expiry where the event records it; before, within a minute of the days it was given.
      const limit = d.expiresAt
        ? new Date(d.expiresAt).getTime()
        : new Date(c.recordedAt).getTime() + (d.expiresInDays ?? 0) * 86_400_000 + 60_000;
      if (t.expiresAt.getTime() > limit) problems.push('it expires later than recorded');
      if (d.fingerprint && d.fingerprint !== tokenFingerprint(t.tokenHash)) {
        problems.push('its stored hash is not the one recorded (another token was put in its place)');
      }
    }
    if (t.revoked && !t.revokedAt) problems.push('it was revoked, and is live again');
    if (t.revokedAt && !t.revoked) problems.push('it is revoked, and no event says so');
    if (t.rateLimitExempt) problems.push('it is exempt from the rate limit, which no command sets');
    if (problems.length) drift.push({ kind: 'token', subject: `${t.name} (${t.id})`, problem: problems.join('; ') });
  }
  return drift.slice(0, LIMIT);
}

/** Each setting against its last change: a row that no event sets, or a value no event wrote. */
async function settingDrift(db: Db): Promise<Drift[]> {
  const [rows, recorded] = await Promise.all([
    db.setting.findMany({ select: { key: true, value: true } }),
    db.$queryRaw<{ key: string; to: unknown }[]>`
      SELECT DISTINCT ON (e."details"->>'key') e."details"->>'key' AS "key", e."details"->'to' AS "to"
      FROM "AuditEvent" e WHERE e."action" = 'settings.changed' ORDER BY e."details"->>'key', e."seq" DESC`,
  ]);
  const stored = new Map(rows.map((r) => [r.key, r.value]));
  const last = new Map(recorded.map((r) => [r.key, r.to]));
  const drift: Drift[] = [];
  for (const key of SETTING_KEYS) {
    const value = stored.get(key);
    // With no row, the default holds: what the last event set must be it.
    const now = JSON.stringify(value === undefined ? DEFAULT_SETTINGS[key] : value);
    const want = last.has(key) ? JSON.stringify(last.get(key)) : JSON.stringify(DEFAULT_SETTINGS[key]);
    if (!equalJson(now, want)) {
      drift.push({
        kind: 'setting',
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

/** Every role, API token and setting that its events do not explain: changed outside Custodian. */
export async function registryDrift(db: Db): Promise<Drift[]> {
  const [roles, tokens, settings] = await Promise.all([roleDrift(db), tokenDrift(db), settingDrift(db)]);
  return [...roles, ...tokens, ...settings];
}

/** The registry check, for the System page. */
export function registryDriftFor(actor: Actor | null): Promise<Drift[]> {
  requirePermission(actor, 'system.read');
  return registryDrift(getDb());
}
