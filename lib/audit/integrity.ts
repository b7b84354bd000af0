import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { appendAuditEvent, headIsVouchedFor, lockChainHead, type AuditActor } from './append';
import { archivedRanges, firstPresentSeq } from './archive';
import { GENESIS_HASH } from './canonical';
import {
  checkpointHolds,
  loadSigningKey,
  signatureHolds,
  signStatement,
  trustedPublicKeys,
  verificationStatement,
  type PublicKeys,
} from './signing';
import { verifyAuditChain } from './verify';
import { readWitness, witnessCheckpoint } from './witness';

export type VerificationMode = 'full' | 'incremental';

/** An incremental run's sample covers the older events in this many runs (one a day: a month), at least this many. */
const SAMPLE_ROUNDS = 30;
const SAMPLE_MIN = 10_000n;

/**
 * Verifies the chain against the server's key and the witnesses (file and URL), and records the result for the
 * integrity badge. `incremental` (the scheduled run) walks only the events after the latest signed checkpoint an
 * earlier vouched run verified, and a rotating sample of the older ones; without such a checkpoint it verifies
 * everything.
 */
export async function runVerification(db: Db, actorId: string | null, mode: VerificationMode = 'full') {
  const started = performance.now();
  const keys = trustedPublicKeys();
  // A witness that cannot be read, or lacks checkpoints, leaves the chain unchecked against it: walked still (and
  // checked against the file), but never recorded as passing.
  const read = await readWitness(db);
  const witness = read.checkpoints;
  const unwitnessed = read.problem && `not checked against the witness: ${read.problem}`;
  const plan = mode === 'incremental' ? await planIncremental(db, keys) : null;
  const result = await verifyAuditChain(db, { keys, witness, from: plan?.from });
  const sample =
    plan?.sample && result.ok
      ? await verifyAuditChain(db, { keys, from: plan.sample.from, through: plan.sample.to })
      : null;
  const tripped = result.ok && (!sample || sample.ok) ? await earlierRunsProblem(db) : null;
  const failed = !result.ok
    ? result
    : sample && !sample.ok
      ? sample
      : tripped && { ...tripped, verifiedThroughSeq: tripped.brokenSeq - 1n };
  const ok = failed === null && unwitnessed === null;
  const outcome = {
    ok,
    // On a failure (of the sample too), what holds ends before the break.
    throughSeq: (failed ?? result).verifiedThroughSeq,
    headHash: result.ok && ok ? result.headHash : null,
    brokenSeq: failed ? failed.brokenSeq : null,
    mode: plan ? 'incremental' : 'full',
    fromSeq: plan ? plan.from.seq + 1n : 1n,
    sampleFromSeq: plan?.sample ? plan.sample.from.seq + 1n : null,
    sampleToSeq: plan?.sample ? plan.sample.to : null,
    statementVersion: 2,
  };
  // The events each walk read (up to its break, on a failure), within the column's range.
  const walked = (r: typeof result | null, after: bigint) =>
    r ? (r.ok ? r.eventCount : Math.max(0, Number(r.verifiedThroughSeq - after))) : 0;
  const counts = {
    eventCount: Math.min(
      2 ** 31 - 1,
      walked(result, plan?.from.seq ?? 0n) + walked(sample, plan?.sample?.from.seq ?? 0n),
    ),
    checkpointsVerified: result.checkpointsVerified + (sample?.checkpointsVerified ?? 0),
  };
  const key = loadSigningKey();
  return db.$transaction(async (tx) => {
    // The row's time is the database's (a trigger sets it to the transaction's now()): read it here to sign it.
    const [now] = await tx.$queryRaw<{ at: Date }[]>`SELECT now()::timestamptz(3) AS "at"`;
    const at = now!.at;
    const signature = key ? signStatement(key, verificationStatement({ verifiedAt: at, ...outcome, ...counts })) : null;
    return tx.auditVerification.create({
      data: {
        ...outcome,
        ...counts,
        // Not checked against the witness, and nothing broken: a failed run with no broken seq.
        reason: failed ? failed.reason : unwitnessed,
        durationMs: Math.round(performance.now() - started),
        actorId,
        keyId: key?.keyId ?? null,
        signature,
      },
    });
  });
}

/**
 * Where an incremental run starts: the latest checkpoint signed by a trusted key at or below what the latest vouched
 * run verified (when it passed), still matching the event at its seq (a tripwire: a chain rewritten below it no
 * longer does); and the day's slice of the older events (every one read within about a month), from the hash stored
 * before it.
 */
async function planIncremental(db: Db, keys: PublicKeys) {
  const runs = await db.auditVerification.findMany({ orderBy: { verifiedAt: 'desc' }, take: 20 });
  // After a failed run, everything again: a break found (by a sample, say) is never stepped over. A run that found
  // nothing broken but could not check the witness is passed over, not taken for a break: a witness kept silent
  // does not make every run walk the whole chain.
  const last = runs.find((v) => vouched(v) && (v.ok || v.brokenSeq !== null));
  if (!last?.ok) return null;
  const checkpoints = await db.auditCheckpoint.findMany({
    where: { seq: { lte: last.throughSeq } },
    orderBy: { number: 'desc' },
    take: 20,
  });
  const anchor = checkpoints.find((c) => checkpointHolds(keys, c));
  if (!anchor) return null;
  const atAnchor = await db.auditEvent.findUnique({ where: { seq: anchor.seq }, select: { hash: true } });
  if (atAnchor?.hash !== anchor.hash) return null;

  const size = anchor.seq / BigInt(SAMPLE_ROUNDS) + 1n;
  const width = size > SAMPLE_MIN ? size : SAMPLE_MIN;
  // The slice is the day's, not the one after what earlier runs recorded: deleting those rows (the owner can) would
  // send every sample back to the start and leave the events past its first slice unread.
  const slices = (anchor.seq + width - 1n) / width;
  const day = BigInt(Math.floor(Date.now() / 86_400_000));
  // A sample reads events in the database: it starts after an archived range it would begin in (only ranges a
  // signed manifest covers), and ends before the next one.
  const archived = await archivedRanges(db, keys);
  const skip = (seq: bigint) => firstPresentSeq(archived, seq);
  let fromSeq = skip(1n + (day % slices) * width);
  if (fromSeq > anchor.seq) fromSeq = skip(1n);
  const from = { seq: anchor.seq, hash: anchor.hash };
  // Every older event archived: nothing to sample.
  if (fromSeq > anchor.seq) return { from, sample: null };
  let to = fromSeq + width - 1n < anchor.seq ? fromSeq + width - 1n : anchor.seq;
  const next = archived.find((r) => r.fromSeq > fromSeq && r.fromSeq <= to);
  if (next) to = next.fromSeq - 1n;
  const before =
    fromSeq === 1n
      ? GENESIS_HASH
      : ((await db.auditEvent.findUnique({ where: { seq: fromSeq - 1n }, select: { hash: true } }))?.hash ??
        archived.find((r) => r.toSeq === fromSeq - 1n)?.headOut);
  // Older events with no way to sample them (their start gone): walk everything, never skip the sample.
  if (!before) return null;
  return { from, sample: { from: { seq: fromSeq - 1n, hash: before }, to } };
}

/**
 * A tripwire: what the latest signed passing runs verified must still be there. A chain rolled back (its tail deleted
 * with its signatures and checkpoints, the head rewound) verifies on its own, and a rewrite below a run with its
 * signatures deleted verifies as unsigned; a run that verified beyond the head, or whose head hash is no longer the
 * event at its seq, names it. (Unless those rows were deleted too: against that, the witness.) After restoring a
 * backup on purpose, its owner deletes the runs the backup predates.
 */
export async function earlierRunsProblem(
  db: Db,
  runs?: SignedRun[],
): Promise<{ brokenSeq: bigint; reason: string } | null> {
  const head = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  for (const run of runs ?? (await signedPassingRuns(db))) {
    const when = run.verifiedAt.toISOString();
    if (run.throughSeq > head.seq) {
      return {
        brokenSeq: head.seq + 1n,
        reason:
          `the verification of ${when} found events through seq ${run.throughSeq}, beyond the chain head ` +
          `(seq ${head.seq}): the database was rolled back or cut off`,
      };
    }
    // An event archived since is vouched for by its manifest, not read here.
    const event = await db.auditEvent.findUnique({ where: { seq: run.throughSeq }, select: { hash: true } });
    if (event && event.hash !== run.headHash) {
      return {
        brokenSeq: run.throughSeq,
        reason: `event ${run.throughSeq} is not the one the verification of ${when} found: the chain was rewritten`,
      };
    }
  }
  return null;
}

type SignedRun = Awaited<ReturnType<typeof signedPassingRuns>>[number];

/** The passing runs that reached furthest (the latest few), of those Custodian signed. */
export async function signedPassingRuns(db: Db) {
  const runs = await db.auditVerification.findMany({
    where: { ok: true, headHash: { not: null } },
    orderBy: { throughSeq: 'desc' },
    take: 5,
  });
  return runs.filter((r) => vouched(r));
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
    : run.brokenSeq === null
      ? `Not verified: ${run.reason}.`
      : `BROKEN at seq ${run.brokenSeq}: ${run.reason}.`;
}

/** The latest verification, for the badge. */
export async function latestVerification(actor: Actor) {
  requirePermission(actor, 'audit.read');
  const db = getDb();
  const [verification, lastFull, checkpoint, archived] = await Promise.all([
    db.auditVerification.findFirst({ orderBy: { verifiedAt: 'desc' } }),
    // Only a run Custodian signed says when everything was last walked.
    db.auditVerification
      .findMany({ where: { mode: 'full' }, orderBy: { verifiedAt: 'desc' }, take: 10 })
      .then((runs) => runs.find((v) => vouched(v)) ?? null),
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
    lastFull,
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
