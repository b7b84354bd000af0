import 'server-only';
import type { Tx } from '@/lib/db';
import { Conflict } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';

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
  const inserted = await tx.$queryRaw<{ key: string }[]>`
    INSERT INTO "IdempotencyKey" ("tokenId", "key", "requestHash", "response", "createdAt")
    VALUES (${tokenId}, ${stored(space, key)}, ${requestHash}, '{}'::jsonb, now())
    ON CONFLICT ("tokenId", "key") DO NOTHING RETURNING "key"`;
  if (inserted.length > 0) return null;
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
export async function keepIdempotentAnswer(tx: Tx, space: KeySpace, tokenId: string, key: string, answer: unknown) {
  await tx.idempotencyKey.update({
    where: { tokenId_key: { tokenId, key: stored(space, key) } },
    data: { response: answer as Prisma.InputJsonValue },
  });
}
