import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { appendAuditEvent, headIsVouchedFor, lockChainHead, type AuditActor } from './append';
import { archivedRanges } from './archive';
import { loadSigningKey, signatureHolds, signStatement, trustedPublicKeys, verificationStatement } from './signing';
import { verifyAuditChain } from './verify';
import { readWitnessFile, witnessCheckpoint } from './witness';

/**
 * Verifies the chain against the server's key and the witness file, and records the result for the integrity badge.
 */
export async function runVerification(db: Db, actorId: string | null) {
  const started = performance.now();
  const result = await verifyAuditChain(db, { keys: trustedPublicKeys(), witness: readWitnessFile() });
  const outcome = {
    ok: result.ok,
    throughSeq: result.verifiedThroughSeq,
    headHash: result.ok ? result.headHash : null,
    brokenSeq: result.ok ? null : result.brokenSeq,
  };
  const key = loadSigningKey();
  return db.$transaction(async (tx) => {
    // The row's time is the database's (a trigger sets it to the transaction's now()): read it here to sign it.
    const [now] = await tx.$queryRaw<{ at: Date }[]>`SELECT now()::timestamptz(3) AS "at"`;
    const at = now!.at;
    const signature = key ? signStatement(key, verificationStatement({ verifiedAt: at, ...outcome })) : null;
    return tx.auditVerification.create({
      data: {
        ...outcome,
        reason: result.ok ? null : result.reason,
        eventCount: result.ok ? result.eventCount : Number(result.verifiedThroughSeq),
        checkpointsVerified: result.checkpointsVerified,
        durationMs: Math.round(performance.now() - started),
        actorId,
        keyId: key?.keyId ?? null,
        signature,
      },
    });
  });
}

/** Whether a recorded result is one Custodian signed (with a key it trusts), not a row written around it. */
export function vouched(
  v: Parameters<typeof verificationStatement>[0] & { keyId: string | null; signature: string | null },
) {
  const key = trustedPublicKeys().find((k) => k.keyId === v.keyId);
  return Boolean(key && v.signature && signatureHolds(key.key, verificationStatement(v), v.signature));
}

/** An auditor's "verify now". */
export async function verifyChainNow(actor: Actor | null): Promise<string> {
  requirePermission(actor, 'audit.verify');
  const run = await runVerification(getDb(), actor.id);
  return run.ok
    ? `Verified: ${run.eventCount.toLocaleString('en')} events up to seq ${run.throughSeq}, ` +
        `${run.checkpointsVerified} signed checkpoint(s) hold.`
    : `BROKEN at seq ${run.brokenSeq}: ${run.reason}.`;
}

/** The latest verification, for the badge. */
export async function latestVerification(actor: Actor) {
  requirePermission(actor, 'audit.read');
  const db = getDb();
  const [verification, checkpoint, archived] = await Promise.all([
    db.auditVerification.findFirst({ orderBy: { verifiedAt: 'desc' } }),
    db.auditCheckpoint.findFirst({
      orderBy: { number: 'desc' },
      select: { number: true, seq: true, signedAt: true, keyId: true },
    }),
    archivedRanges(db),
  ]);
  const signing = loadSigningKey() !== null;
  // With a key, an unsigned or forged result is not shown as Custodian's: the badge says so.
  return {
    verification,
    checkpoint,
    archived,
    signing,
    forged: Boolean(signing && verification && !vouched(verification)),
  };
}

/**
 * Signs the chain head (seq, hash, time) as the next numbered checkpoint, when it moved since the last one (or that
 * one was signed by another key), and writes it to the witness. A person's "sign now" also goes on the timeline; the
 * scheduled run (every minute) does not, or it would move the head it just signed.
 */
export async function signCheckpoint(actor: AuditActor | null = null) {
  const key = loadSigningKey();
  if (!key) return null;
  const outcome = await getDb().$transaction(async (tx) => {
    // The head row is read under its lock so the signed pair is exactly the chain's state.
    const [head] = await lockChainHead(tx);
    if (!head || head.seq === 0n) return null;
    // Only a head Custodian signed is checkpointed: events written around it are never sealed by the checkpoint.
    if (!(await headIsVouchedFor(tx, head, trustedPublicKeys()))) return null;
    const latest = await tx.auditCheckpoint.findFirst({ orderBy: { number: 'desc' } });
    if (latest?.seq === head.seq && latest.keyId === key.keyId) return { checkpoint: latest, created: false };
    const signedAt = new Date();
    const number = (latest?.number ?? 0n) + 1n;
    const statement = { kind: 'checkpoint', number, seq: head.seq, hash: head.hash, signedAt } as const;
    const checkpoint = await tx.auditCheckpoint.create({
      data: {
        number,
        format: 2,
        seq: head.seq,
        hash: head.hash,
        signedAt,
        keyId: key.keyId,
        signature: signStatement(key, statement),
      },
    });
    if (actor) {
      await appendAuditEvent(tx, {
        action: 'audit.checkpoint_signed',
        actor,
        details: { checkpointId: checkpoint.id, seq: head.seq.toString(), keyId: key.keyId },
      });
    }
    return { checkpoint, created: true };
  });
  if (!outcome) return null;
  // After commit: a slow witness holds no lock.
  if (outcome.created) await witnessCheckpoint(outcome.checkpoint);
  const { number, seq, keyId } = outcome.checkpoint;
  return { number, seq, keyId };
}

/** A security lead's "sign a checkpoint now" (checkpoints are also signed on a schedule). */
export async function signCheckpointNow(actor: Actor | null): Promise<string> {
  requirePermission(actor, 'audit.checkpoint');
  const signed = await signCheckpoint({ type: 'USER', id: actor.id });
  if (!signed && !loadSigningKey())
    return 'No signing key is configured (AUDIT_SIGNING_KEY), so no checkpoint was signed.';
  if (!signed)
    return 'Nothing was signed: the chain is empty, or its head is not one Custodian signed (verify it now).';
  return `Checkpoint ${signed.number}: the chain head at seq ${signed.seq}, signed with key ${signed.keyId}.`;
}
