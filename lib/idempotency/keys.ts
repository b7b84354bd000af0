import 'server-only';
import type { Tx } from '@/lib/db';
import type { SqlTx } from '@/lib/db/sql-tx';
import { Conflict } from '@/lib/errors';

// Retries with an Idempotency-Key get the first answer: the key is claimed inside the request's own transaction,
// so a concurrent retry waits for the first to commit and a refused (rolled back) request may run again.

/**
 * Where an endpoint keeps its keys: ingest's bare (as they always were), others under their name and a slash, which
 * no key contains, so one key never answers two endpoints.
 */
export type KeySpace = 'events' | 'decisions';
const stored = (space: KeySpace, key: string) => (space === 'events' ? key : `${space}/${key}`);

/** Claims the key; the first answer when it was already used for this request, Conflict for a different one. */
export async function claimIdempotencyKey<T>(
  tx: Tx,
  space: KeySpace,
  tokenId: string,
  key: string,
  requestHash: string,
): Promise<T | null> {
  if ((await claimIdempotencyKeys(tx, space, [{ tokenId, key, requestHash }])).size > 0) return null;
  const first = await tx.idempotencyKey.findUniqueOrThrow({
    where: { tokenId_key: { tokenId, key: stored(space, key) } },
  });
  if (first.requestHash !== requestHash) {
    throw new Conflict(
      `This Idempotency-Key was already used for a different ${space === 'events' ? 'batch' : 'request'}. ` +
        'Use a new key for new work.',
    );
  }
  return first.response as unknown as T;
}

/** Keeps the answer the key returns from now on (in the same transaction as the work). */
export async function keepIdempotentAnswer(tx: SqlTx, space: KeySpace, tokenId: string, key: string, answer: unknown) {
  await keepIdempotentAnswers(tx, space, [{ tokenId, key, answer }]);
}

/** One key of a batch: whose, which, and the hash of the request it answers. */
export type KeyClaim = { tokenId: string; key: string; requestHash: string };

/**
 * Claims a batch's keys in one statement; returns those claimed, as `tokenId key`. A key already held (committed, or
 * claimed by a transaction still running, which this one waits for) is not: its request gets the first answer from
 * claimIdempotencyKey once this batch commits.
 */
export async function claimIdempotencyKeys(tx: SqlTx, space: KeySpace, claims: KeyClaim[]): Promise<Set<string>> {
  if (claims.length === 0) return new Set();
  const rows = claims.map((c) => ({ ...c, key: stored(space, c.key) }));
  const claimed = await tx.$queryRaw<{ tokenId: string; key: string }[]>`
    INSERT INTO "IdempotencyKey" ("tokenId", "key", "requestHash", "response", "createdAt")
    SELECT c."tokenId", c."key", c."requestHash", '{}'::jsonb, now()
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS c("tokenId" text, "key" text, "requestHash" text)
    ORDER BY c."tokenId", c."key"
    ON CONFLICT ("tokenId", "key") DO NOTHING RETURNING "tokenId", "key"`;
  const unprefix = (key: string) => (space === 'events' ? key : key.slice(space.length + 1));
  return new Set(claimed.map((c) => `${c.tokenId} ${unprefix(c.key)}`));
}

/** Keeps a batch's answers (one statement, in the transaction that claimed their keys). */
export async function keepIdempotentAnswers(
  tx: SqlTx,
  space: KeySpace,
  answers: { tokenId: string; key: string; answer: unknown }[],
): Promise<void> {
  if (answers.length === 0) return;
  const rows = answers.map((a) => ({ ...a, key: stored(space, a.key) }));
  await tx.$executeRaw`
    UPDATE "IdempotencyKey" k SET "response" = a."answer"
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS a("tokenId" text, "key" text, "answer" jsonb)
    WHERE k."tokenId" = a."tokenId" AND k."key" = a."key"`;
}
