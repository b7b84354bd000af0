import 'server-only';
import type { Db } from '@/lib/db';
import { Conflict, Invalid } from '@/lib/errors';
import { appendAuditEvents, lockChainHead, SYSTEM_ACTOR } from './append';
import { earlierRunsProblem, signedPassingRuns } from './integrity';
import { loadSigningKey, trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';
import { readWitness } from './witness';

export type Adoption = { adopted: false; headSeq: bigint } | { adopted: true; fromSeq: bigint; throughSeq: bigint };

/**
 * The owner's word that an unsigned chain is theirs (`npm run audit:adopt`): a chain written before a signing key was
 * configured, or while none was. Custodian signs only over a head it signed itself, and nothing is trusted on first
 * use (no signature left is also what deleting them all looks like), so this is the one way an unsigned head gets
 * signed: only when every hash, link, remaining signature and witnessed checkpoint holds, and only the tail no
 * signature covers, recorded on the timeline as `audit.adopted` with the range it vouches for. What it cannot tell is
 * whether that tail was rewritten with its signatures deleted: the owner checks it by other means first.
 */
export async function adoptUnsignedChain(db: Db): Promise<Adoption> {
  const key = loadSigningKey();
  if (!key) throw new Invalid('No signing key is configured (AUDIT_SIGNING_KEY): there is nothing to sign with.');
  const checked = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  const result = await verifyAuditChain(db, {
    keys: trustedPublicKeys(),
    witness: (await readWitness(db)).checkpoints,
  });
  if (result.ok) return { adopted: false, headSeq: result.verifiedThroughSeq };
  if (!result.unsigned) {
    throw new Invalid(`The chain does not verify (seq ${result.brokenSeq}: ${result.reason}); it cannot be adopted.`);
  }
  const fromSeq = result.brokenSeq;
  // A tail an earlier signed run found signed lost its signatures since: that is tampering, never adopted.
  const runs = await signedPassingRuns(db);
  const tripped = await earlierRunsProblem(db, runs);
  if (tripped) throw new Invalid(`The chain does not verify (seq ${tripped.brokenSeq}: ${tripped.reason}).`);
  const seen = runs.find((run) => run.throughSeq >= fromSeq);
  if (seen) {
    throw new Invalid(
      `The verification of ${seen.verifiedAt.toISOString()} found events through seq ${seen.throughSeq} signed: ` +
        `the tail from seq ${fromSeq} was signed once and its signatures are gone. It is not adopted.`,
    );
  }
  return db.$transaction(async (tx) => {
    const [head] = await lockChainHead(tx);
    // What was verified is what is signed: an append since (by a server still running unsigned) is checked next time.
    if (!head || head.seq !== checked.seq || head.hash !== checked.hash) {
      throw new Conflict('The chain moved while it was checked: stop the writers, or run it again.');
    }
    await appendAuditEvents(
      tx,
      [
        {
          action: 'audit.adopted',
          actor: SYSTEM_ACTOR,
          details: { fromSeq: String(fromSeq), throughSeq: String(head.seq), hash: head.hash, keyId: key.keyId },
        },
      ],
      undefined,
      { adopt: true },
    );
    return { adopted: true as const, fromSeq, throughSeq: head.seq };
  });
}
