import 'server-only';
import type { Db } from '@/lib/db';
import { GENESIS_HASH, hashEvent } from './canonical';

export type ChainVerification =
  | { ok: true; verifiedThroughSeq: bigint; headHash: string; eventCount: number }
  | { ok: false; brokenSeq: bigint; reason: string; verifiedThroughSeq: bigint };

const PAGE = 5_000;

/**
 * Walks the chain in seq order, recomputing every hash from the stored
 * columns, and names the first seq that does not hold: a changed event, a
 * missing one (a gap), one moved out of order, or a head that disagrees.
 */
export async function verifyAuditChain(db: Db): Promise<ChainVerification> {
  let expectedSeq = 1n;
  let prevHash = GENESIS_HASH;
  let count = 0;
  const broken = (seq: bigint, reason: string): ChainVerification => ({
    ok: false,
    brokenSeq: seq,
    reason,
    verifiedThroughSeq: expectedSeq - 1n,
  });

  for (;;) {
    const page = await db.auditEvent.findMany({
      where: { seq: { gte: expectedSeq } },
      orderBy: { seq: 'asc' },
      take: PAGE,
    });
    for (const event of page) {
      if (event.seq !== expectedSeq) return broken(expectedSeq, `event ${expectedSeq} is missing`);
      if (event.prevHash !== prevHash) {
        return broken(event.seq, `event ${event.seq} does not follow event ${expectedSeq - 1n} (previous hash differs)`);
      }
      if (hashEvent(prevHash, event) !== event.hash) {
        return broken(event.seq, `event ${event.seq} was altered (its hash does not match its contents)`);
      }
      prevHash = event.hash;
      expectedSeq += 1n;
      count += 1;
    }
    if (page.length < PAGE) break;
  }

  const lastSeq = expectedSeq - 1n;
  const head = await db.auditChainHead.findUnique({ where: { id: 1 } });
  if (!head) return broken(lastSeq + 1n, 'the chain head is missing');
  if (head.seq > lastSeq) return broken(lastSeq + 1n, `events ${lastSeq + 1n} to ${head.seq} are missing`);
  if (head.seq < lastSeq || head.hash !== prevHash) {
    return broken(head.seq + 1n, `the chain head (seq ${head.seq}) does not match the last event`);
  }
  return { ok: true, verifiedThroughSeq: lastSeq, headHash: prevHash, eventCount: count };
}
