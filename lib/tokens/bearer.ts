import 'server-only';
import { can, PERMISSIONS, type Actor, type Permission } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { Forbidden, TooManyRequests, Unauthenticated } from '@/lib/errors';
import { hashToken } from './commands';
import type { TokenScope } from './schema';

/** A token and the person it acts as (their permissions now, intersected with its scopes). */
export type TokenActor = { id: string; name: string; scopes: string[]; creator: Actor };

/** What each scope lets a token do, as its creator's permission: a scope never grants more than they hold now. */
const SCOPE_PERMISSION: Record<TokenScope, Permission> = {
  'events:write': 'credential.write',
  'registry:read': 'agent.read',
  'audit:read': 'audit.read',
};

const RATE = { perSecond: 25, burst: 50 };
const buckets = new Map<string, { tokens: number; at: number }>();

/** A token bucket per API token, per server process: `RATE.burst` requests at once, refilled at `RATE.perSecond`. */
function takeFromBucket(tokenId: string, now = Date.now()): number | null {
  const bucket = buckets.get(tokenId) ?? { tokens: RATE.burst, at: now };
  bucket.tokens = Math.min(RATE.burst, bucket.tokens + ((now - bucket.at) / 1000) * RATE.perSecond);
  bucket.at = now;
  buckets.set(tokenId, bucket);
  if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / RATE.perSecond);
  bucket.tokens -= 1;
  return null;
}

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
  const token = await getDb().apiToken.findUnique({
    where: { tokenHash: hashToken(match[1]!) },
    select: {
      id: true,
      name: true,
      scopes: true,
      expiresAt: true,
      revokedAt: true,
      lastUsedAt: true,
      createdBy: { select: { id: true, name: true, email: true, roles: true, active: true } },
    },
  });
  const now = new Date();
  if (!token || token.revokedAt || token.expiresAt <= now) {
    throw new Unauthenticated(
      token?.revokedAt ? 'This API token was revoked.' : token ? 'This API token has expired.' : 'Unknown API token.',
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
  const retryAfter = takeFromBucket(token.id);
  if (retryAfter !== null) {
    throw new TooManyRequests(
      `Rate limit: at most ${RATE.perSecond} requests a second per token (bursts of ${RATE.burst}).`,
      retryAfter,
    );
  }
  // "Last used" is shown to a minute; writing it on every request would serialise hot tokens.
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
    await getDb().apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return { id: token.id, name: token.name, scopes: token.scopes, creator };
}
