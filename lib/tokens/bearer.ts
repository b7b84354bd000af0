import 'server-only';
import { can, PERMISSIONS, type Actor, type Permission } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { hotRows } from '@/lib/db/hot-path';
import { getEnv } from '@/lib/env';
import { Forbidden, TooManyRequests, Unauthenticated } from '@/lib/errors';
import { Prisma, type TokenAgentScope } from '@/lib/generated/prisma/client';
import { getSettings, storedSettingsJson, type Settings, type StoredSetting } from '@/lib/settings';
import { hashToken } from './commands';
import { reaches, reachOf, type TokenReach } from './reach';
import type { TokenScope } from './schema';

/**
 * A token, the person it acts as (their permissions now, intersected with its scopes), the agents it reaches, and the
 * policy in force when the request was authenticated (the request's rules read it rather than read it again).
 */
export type TokenActor = {
  id: string;
  name: string;
  scopes: string[];
  creator: Actor;
  reach: TokenReach;
  policy: Settings;
};

/** What each scope lets a token do, as its creator's permission: a scope never grants more than they hold now. */
const SCOPE_PERMISSION: Record<TokenScope, Permission> = {
  'events:write': 'credential.write',
  'events:backfill': 'credential.write',
  'registry:read': 'agent.read',
  // Each write checks its own permission on the agent too (ownership.assign for owners, say).
  'registry:write': 'agent.write',
  'audit:read': 'audit.read',
  'decisions:check': 'credential.write',
  // People and groups: a security lead's token (deactivation runs as them, under the same guards).
  'scim:provision': 'user.manage',
  // Proposes agents and records custody on any: a security lead's token reaching every agent.
  'discovery:import': 'discovery.import',
};

type Rate = { perSecond: number; burst: number };
const RATE: Rate = { perSecond: 25, burst: 50 };

/**
 * Issuance decisions sit on a broker's hot path: their own bucket per token, at the rate the policy sets (bursts of
 * twice that), so a busy gate neither starves nor is starved by the same token's other calls.
 */
function rateOf(scope: TokenScope, settings: Settings): { bucket: string; rate: Rate } {
  if (scope !== 'decisions:check') return { bucket: '', rate: RATE };
  const perSecond = settings.decisionRatePerSecond;
  return { bucket: '/decisions', rate: { perSecond, burst: perSecond * 2 } };
}

/**
 * Takes one request from the token's bucket, in the database so every server
 * instance shares it: `rate.burst` at once, refilled at `rate.perSecond`.
 * One statement claims it (concurrent requests queue on the row); null when
 * allowed, else the seconds until the next request would be.
 */
async function takeFromBucket(bucketId: string, rate: Rate): Promise<number | null> {
  const refilled = Prisma.sql`LEAST(${rate.burst}::float8,
    b."tokens" + EXTRACT(EPOCH FROM clock_timestamp() - b."at") * ${rate.perSecond}::float8)`;
  const taken = await hotRows<{ tokens: number }>(Prisma.sql`
    INSERT INTO "ApiRateBucket" AS b ("tokenId", "tokens", "at")
    VALUES (${bucketId}, ${rate.burst - 1}::float8, clock_timestamp())
    ON CONFLICT ("tokenId") DO UPDATE SET "tokens" = ${refilled} - 1, "at" = clock_timestamp()
    WHERE ${refilled} >= 1
    RETURNING "tokens"`);
  if (taken.length > 0) return null;
  const [left] = await getDb().$queryRaw<{ tokens: number }[]>`
    SELECT ${refilled} AS "tokens" FROM "ApiRateBucket" b WHERE b."tokenId" = ${bucketId}`;
  return Math.max(1, Math.ceil((1 - (left?.tokens ?? 0)) / rate.perSecond));
}

type TokenRow = {
  id: string;
  name: string;
  scopes: string[];
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  agentScope: TokenAgentScope;
  agentIds: string[];
  workloadPrefix: string | null;
  rateLimitExempt: boolean;
  createdBy: Actor & { active: boolean };
  settings: StoredSetting[];
};

/**
 * The API token behind `Authorization: Bearer …` if it is valid, unexpired,
 * unrevoked, holds the scope and is under its rate limit; otherwise throws
 * Unauthenticated (401), Forbidden (403) or TooManyRequests (429).
 */
export async function authenticate(request: Request, scope: TokenScope): Promise<TokenActor> {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) {
    throw new Unauthenticated(
      'Send an API token: Authorization: Bearer <token>. An ADMIN creates tokens on the Tokens page.',
    );
  }
  // Every API request starts here: one statement for the token, its creator and the policy (a brokers' hot path).
  const [token] = await hotRows<TokenRow>(Prisma.sql`
    SELECT t."id", t."name", t."scopes", t."expiresAt", t."revokedAt", t."lastUsedAt", t."createdAt",
      t."agentScope", t."agentIds", t."workloadPrefix", t."rateLimitExempt",
      json_build_object('id', u."id", 'name', u."name", 'email', u."email", 'roles', u."roles", 'active', u."active")
        AS "createdBy",
      ${storedSettingsJson} AS "settings"
    FROM "ApiToken" t JOIN "User" u ON u."id" = t."createdById"
    WHERE t."tokenHash" = ${hashToken(match[1]!)}`);
  const now = new Date();
  if (!token || token.revokedAt || token.expiresAt <= now) {
    throw new Unauthenticated(
      token?.revokedAt ? 'This API token was revoked.' : token ? 'This API token has expired.' : 'Unknown API token.',
    );
  }
  // The lifetime policy is read now: a token made under a longer maximum stops once the current one has passed.
  const settings = await getSettings(getDb(), token.settings);
  const { apiTokens } = settings;
  if (token.createdAt.getTime() + apiTokens.maxDays * 86_400_000 <= now.getTime()) {
    throw new Unauthenticated(
      `This API token is older than the policy allows (${apiTokens.maxDays} days): create a new one.`,
    );
  }
  if (!token.scopes.includes(scope)) throw new Forbidden(`This API token lacks the ${scope} scope.`);
  const { active, ...creator } = token.createdBy;
  if (!active) throw new Unauthenticated('This API token’s creator was deactivated: the token no longer works.');
  if (!can(creator, SCOPE_PERMISSION[scope])) {
    throw new Forbidden(
      `This API token acts as ${creator.name ?? 'its creator'}, who no longer holds permission to ` +
        `${PERMISSIONS[SCOPE_PERMISSION[scope]].toLowerCase()}.`,
    );
  }
  // A test server only (see ApiToken.rateLimitExempt): in any other, the flag is ignored.
  const exempt = token.rateLimitExempt && getEnv().CUSTODIAN_TEST_RATE_EXEMPTION === 'on';
  const { bucket, rate } = rateOf(scope, settings);
  const retryAfter = exempt ? null : await takeFromBucket(token.id + bucket, rate);
  if (retryAfter !== null) {
    throw new TooManyRequests(
      `Rate limit: at most ${rate.perSecond} ${bucket ? 'decisions' : 'requests'} a second per token, across every ` +
        `server (bursts of ${rate.burst}).`,
      retryAfter,
    );
  }
  // "Last used" is shown to a minute; writing it on every request would serialise hot tokens.
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
    await getDb().apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return { id: token.id, name: token.name, scopes: token.scopes, creator, reach: reachOf(token), policy: settings };
}

/** A token scoped to some agents reads the timeline one agent at a time, and only of agents it reaches. */
export async function requireReach(token: TokenActor, agentSlug: string | undefined): Promise<void> {
  if (token.reach.kind === 'ALL') return;
  if (!agentSlug) {
    throw new Forbidden('This token is scoped to some agents: name one with ?agent=<slug> to read its timeline.');
  }
  const agent = await getDb().agent.findUnique({
    where: { slug: agentSlug },
    select: { id: true, workloadIdentity: true },
  });
  if (agent && !reaches(token.reach, agent)) {
    throw new Forbidden(`This token does not reach ${agentSlug}: it is scoped to other agents.`);
  }
}

/**
 * A token for work that may name any agent (a registry file, a discovery import): it must reach every agent, or it
 * is refused with `refusal` before anything is read.
 */
export async function authenticateReachingAll(
  request: Request,
  scope: TokenScope,
  refusal: string,
): Promise<TokenActor> {
  const token = await authenticate(request, scope);
  if (token.reach.kind !== 'ALL') throw new Forbidden(refusal);
  return token;
}
