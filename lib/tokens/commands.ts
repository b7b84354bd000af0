import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { appendAuditEvent } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { keysetPage, keysetParams } from '@/lib/db/keyset';
import { Conflict, Invalid, NotFound } from '@/lib/errors';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import { describeReach, reachOf } from './reach';
import { CreateTokenSchema, RevokeTokenSchema } from './schema';

const PREFIX = 'cst_';

/** Tokens are stored only as this hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token's fingerprint as its creation event records it (the registry check compares it): a digest of its stored
 * hash, never the token. */
export const tokenFingerprint = (tokenHash: string) => createHash('sha256').update(tokenHash).digest('hex');

/** Creates an API token. The token itself is returned once, here, and never stored or shown again. */
export async function createToken(actor: Actor | null, input: unknown): Promise<{ id: string; token: string }> {
  requirePermission(actor, 'token.manage');
  const data = await readInput(CreateTokenSchema, input, actor);
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  return getDb().$transaction(async (tx) => {
    const { apiTokens } = await getSettings(tx);
    if (data.expiresInDays > apiTokens.maxDays) {
      throw new Invalid(`Tokens live at most ${apiTokens.maxDays} days under policy.`, {
        expiresInDays: [`At most ${apiTokens.maxDays} days.`],
      });
    }
    const listed =
      data.agentScope === 'LIST'
        ? await tx.agent.findMany({
            where: { slug: { in: data.agents } },
            select: { id: true, slug: true },
            orderBy: { slug: 'asc' },
          })
        : [];
    const unknown = data.agentScope === 'LIST' ? data.agents.filter((s) => !listed.some((a) => a.slug === s)) : [];
    if (unknown.length > 0) {
      throw new Invalid('Some agents do not exist.', { agents: [`No agent with slug ${unknown.join(', ')}.`] });
    }
    const reach = {
      agentScope: data.agentScope,
      agentIds: listed.map((a) => a.id),
      workloadPrefix: data.agentScope === 'WORKLOAD_PREFIX' ? data.workloadPrefix! : null,
    };
    const created = await tx.apiToken.create({
      data: {
        name: data.name,
        tokenHash: hashToken(token),
        prefix: token.slice(0, PREFIX.length + 6),
        scopes: [...new Set(data.scopes)],
        ...reach,
        createdById: actor.id,
        expiresAt: new Date(Date.now() + data.expiresInDays * 86_400_000),
      },
      select: { id: true, tokenHash: true, expiresAt: true },
    });
    await appendAuditEvent(tx, {
      action: 'token.created',
      actor: { type: 'USER', id: actor.id },
      details: {
        tokenId: created.id,
        name: data.name,
        scopes: [...new Set(data.scopes)],
        reach: describeReach(
          reachOf(reach),
          listed.map((a) => a.slug),
        ),
        expiresInDays: data.expiresInDays,
        // What the registry check compares the row with: a token put in its place, or given longer, shows.
        expiresAt: created.expiresAt.toISOString(),
        fingerprint: tokenFingerprint(created.tokenHash),
      },
    });
    return { id: created.id, token };
  });
}

export async function revokeToken(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'token.manage');
  const data = await readInput(RevokeTokenSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const [row] = await tx.$queryRaw<{ id: string; version: number; revokedAt: Date | null }[]>`
      SELECT "id", "version", "revokedAt" FROM "ApiToken" WHERE "id" = ${data.tokenId} FOR UPDATE`;
    if (!row) throw new NotFound('That token does not exist.');
    if (row.revokedAt) throw new Conflict('It is already revoked.');
    if (row.version !== data.version)
      throw new Conflict('This token was changed by someone else. Reload the page and try again.');
    await tx.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date(), version: { increment: 1 } } });
    await appendAuditEvent(tx, {
      action: 'token.revoked',
      actor: { type: 'USER', id: actor.id },
      details: { tokenId: row.id },
    });
    return 'Revoked: requests with it are refused from now on.';
  });
}

export const TokenListQuerySchema = z.object(keysetParams);
export type TokenListQuery = z.infer<typeof TokenListQuerySchema>;

const tokenRow = {
  id: true,
  name: true,
  prefix: true,
  scopes: true,
  agentScope: true,
  agentIds: true,
  workloadPrefix: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
  version: true,
  createdBy: { select: { name: true } },
} as const;

/** API tokens, newest first, paged by keyset: metadata only (a token's value is shown once, at creation). */
export async function listTokens(actor: Actor, query: TokenListQuery) {
  requirePermission(actor, 'token.manage');
  const db = getDb();
  const [page, total] = await Promise.all([
    keysetPage({
      query,
      field: 'createdAt',
      dir: 'desc',
      value: (row: { id: string; createdAt: Date }) => row.createdAt,
      find: ({ where, orderBy, take }) => db.apiToken.findMany({ where, orderBy, take, select: tokenRow }),
    }),
    db.apiToken.count(),
  ]);
  const listed = await db.agent.findMany({
    where: { id: { in: page.rows.flatMap((t) => t.agentIds) } },
    select: { id: true, slug: true },
  });
  const slug = new Map(listed.map((a) => [a.id, a.slug]));
  const rows = page.rows.map(({ agentScope, agentIds, workloadPrefix, ...t }) => ({
    ...t,
    reach: describeReach(
      reachOf({ agentScope, agentIds, workloadPrefix }),
      agentIds.map((id) => slug.get(id) ?? id),
    ),
  }));
  return { ...page, rows, total };
}
