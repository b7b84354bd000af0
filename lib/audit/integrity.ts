import 'server-only';
import type { KeyObject } from 'node:crypto';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { appendAuditEvent, SYSTEM_ACTOR, type AuditActor } from './append';
import { checkpointSignatureHolds, loadSigningKey, signCheckpointMessage } from './signing';
import { verifyAuditChain, type TrustedCheckpoint } from './verify';

/**
 * Checks every stored checkpoint signed by this key; those signed by other
 * keys (before a rotation) are left to `npm run audit:verify -- --public-key`.
 */
export async function trustedCheckpoints(db: Db, publicKeys: { keyId: string; key: KeyObject }[]) {
  const stored = await db.auditCheckpoint.findMany({ orderBy: { seq: 'asc' } });
  const trusted: TrustedCheckpoint[] = [];
  const forged: bigint[] = [];
  let otherKeys = 0;
  for (const checkpoint of stored) {
    const key = publicKeys.find((k) => k.keyId === checkpoint.keyId);
    if (!key) otherKeys += 1;
    else if (checkpointSignatureHolds(key.key, checkpoint)) trusted.push(checkpoint);
    else forged.push(checkpoint.seq);
  }
  return { trusted, forged, otherKeys };
}

/**
 * Verifies the chain (and the checkpoints the configured key signed), and records the result for the integrity badge.
 */
export async function runVerification(db: Db, actorId: string | null) {
  const started = performance.now();
  const key = loadSigningKey();
  const { trusted, forged } = await trustedCheckpoints(db, key ? [{ keyId: key.keyId, key: key.publicKey }] : []);
  const result = await verifyAuditChain(db, trusted);
  const failure = !result.ok
    ? { brokenSeq: result.brokenSeq, reason: result.reason }
    : forged.length > 0
      ? { brokenSeq: forged[0]!, reason: `the checkpoint at seq ${forged[0]} carries a signature that does not hold` }
      : null;
  return db.auditVerification.create({
    data: {
      ok: failure === null,
      throughSeq: result.verifiedThroughSeq,
      headHash: result.ok ? result.headHash : null,
      brokenSeq: failure?.brokenSeq ?? null,
      reason: failure?.reason ?? null,
      eventCount: result.ok ? result.eventCount : Number(result.verifiedThroughSeq),
      checkpointsVerified: result.checkpointsVerified,
      durationMs: Math.round(performance.now() - started),
      actorId,
    },
  });
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
  const [verification, checkpoint] = await Promise.all([
    db.auditVerification.findFirst({ orderBy: { verifiedAt: 'desc' } }),
    db.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, signedAt: true, keyId: true } }),
  ]);
  return { verification, checkpoint, signing: loadSigningKey() !== null };
}

/**
 * Signs the current chain head (seq, hash, time) with the configured Ed25519
 * key and stores the checkpoint; the signing itself goes on the timeline.
 */
export async function signCheckpoint(actor: AuditActor = SYSTEM_ACTOR): Promise<{ seq: bigint; keyId: string } | null> {
  const key = loadSigningKey();
  if (!key) return null;
  return getDb().$transaction(async (tx) => {
    // The head row is read under its lock so the signed pair is exactly the chain's state.
    const [head] = await tx.$queryRaw<
      { seq: bigint; hash: string }[]
    >`SELECT "seq", "hash" FROM "AuditChainHead" WHERE "id" = 1 FOR UPDATE`;
    if (!head || head.seq === 0n) return null;
    const latest = await tx.auditCheckpoint.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true } });
    if (latest?.seq === head.seq) return { seq: head.seq, keyId: key.keyId };
    const signedAt = new Date();
    const checkpoint = await tx.auditCheckpoint.create({
      data: {
        seq: head.seq,
        hash: head.hash,
        signedAt,
        keyId: key.keyId,
        signature: signCheckpointMessage(key, head.seq, head.hash, signedAt),
      },
    });
    await appendAuditEvent(tx, {
      action: 'audit.checkpoint_signed',
      actor,
      details: { checkpointId: checkpoint.id, seq: head.seq.toString(), keyId: key.keyId },
    });
    return { seq: head.seq, keyId: key.keyId };
  });
}

/** A security lead's "sign a checkpoint now" (checkpoints are also signed on a schedule). */
export async function signCheckpointNow(actor: Actor | null): Promise<string> {
  requirePermission(actor, 'audit.checkpoint');
  const signed = await signCheckpoint({ type: 'USER', id: actor.id });
  if (!signed) return 'No signing key is configured (AUDIT_SIGNING_KEY), so no checkpoint was signed.';
  return `Signed the chain head at seq ${signed.seq} with key ${signed.keyId}.`;
}
