import 'server-only';
import type { Db } from '@/lib/db';
import { GENESIS_HASH, hashEventText } from './canonical';
import { literal, streamEvents } from './stream';

export type ChainVerification =
  | { ok: true; verifiedThroughSeq: bigint; headHash: string; eventCount: number; checkpointsVerified: number }
  | { ok: false; brokenSeq: bigint; reason: string; verifiedThroughSeq: bigint; checkpointsVerified: number };

/** A checkpoint whose signature the caller has already checked: the chain must still reach its hash at its seq. */
export type TrustedCheckpoint = { seq: bigint; hash: string; signedAt: Date };

/**
 * Walks the chain in seq order, recomputing every hash from the stored
 * columns, and names the first seq that does not hold: a changed event, a
 * missing one (a gap), one moved out of order, or a head that disagrees.
 */
export async function verifyAuditChain(db: Db, checkpoints: TrustedCheckpoint[] = []): Promise<ChainVerification> {
  // Seqs as numbers in the loop (exact to 2^53); results carry bigints.
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  let checkpointsVerified = 0;
  const pending = [...checkpoints].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  const broken = (seq: bigint, reason: string): ChainVerification => ({
    ok: false,
    brokenSeq: seq,
    reason,
    verifiedThroughSeq: BigInt(expected - 1),
    checkpointsVerified,
  });

  // The head first: events appended while the walk runs come after it and are left to the next run.
  const head = await db.auditChainHead.findUnique({ where: { id: 1 } });
  for await (const page of streamEvents(db, head ? `e."seq" <= ${literal(head.seq)}` : 'true')) {
    for (const event of page) {
      const seq = BigInt(expected);
      if (Number(event.seq) !== expected) return broken(seq, `event ${seq} is missing`);
      if (event.prevHash !== prevHash) {
        return broken(seq, `event ${seq} does not follow event ${seq - 1n} (previous hash differs)`);
      }
      if (hashEventText(prevHash, event) !== event.hash) {
        return broken(seq, `event ${seq} was altered (its hash does not match its contents)`);
      }
      // A signed checkpoint pins the hash at its seq: recomputing hashes after a change cannot reach it again.
      while (pending[0] && pending[0].seq === seq) {
        const checkpoint = pending.shift()!;
        if (checkpoint.hash !== event.hash) {
          return broken(
            seq,
            `the chain no longer reaches the checkpoint signed at ${checkpoint.signedAt.toISOString()} (seq ` +
              `${checkpoint.seq}): an event at or before it was changed`,
          );
        }
        checkpointsVerified += 1;
      }
      prevHash = event.hash;
      expected += 1;
      count += 1;
    }
  }
  const lastSeq = BigInt(expected - 1);
  if (pending[0]) return broken(lastSeq + 1n, `events up to the checkpoint at seq ${pending[0].seq} are missing`);
  if (!head) return broken(lastSeq + 1n, 'the chain head is missing');
  if (head.seq > lastSeq) return broken(lastSeq + 1n, `events ${lastSeq + 1n} to ${head.seq} are missing`);
  if (head.seq < lastSeq || head.hash !== prevHash) {
    return broken(head.seq + 1n, `the chain head (seq ${head.seq}) does not match the last event`);
  }
  return { ok: true, verifiedThroughSeq: lastSeq, headHash: prevHash, eventCount: count, checkpointsVerified };
}
