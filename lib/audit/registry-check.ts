import 'server-only';
import { createHash } from 'node:crypto';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { canonicalJson, toJson } from './canonical';
import { registryCheckRun, type Drift, type RegistryCheckRun } from './drift';
import { loadSigningKey, signatureHolds, signStatement, trustedPublicKeys } from './signing';

// The registry check as a job: replaying every credential and agent takes seconds at 100k agents, so the System
// page shows the latest result, signed like a verification's (a result written in the database carries no
// signature that holds, and the page says so).

/** Rows a result keeps (the page lists them); its counts cover them all. */
export const RESULT_ROWS = 200;

type Replay = { throughSeq: bigint; eventCount: number; eventsSha256: string };
type Result = Replay & { checkedAt: Date; driftCount: number; unrecorded: number; rows: Drift[] };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

function statement(r: Result) {
  return {
    kind: 'registry-check',
    checkedAt: r.checkedAt,
    driftCount: r.driftCount,
    unrecorded: r.unrecorded,
    rowsSha256: sha256(canonicalJson(toJson(r.rows))),
    throughSeq: r.throughSeq,
    eventCount: r.eventCount,
    eventsSha256: r.eventsSha256,
  } as const;
}

/** The events replayed up to `through`, as a result records them. */
function replayOf(replayed: bigint[], through: bigint): Replay {
  const seqs = replayed.filter((seq) => seq <= through);
  return { throughSeq: through, eventCount: seqs.length, eventsSha256: sha256(seqs.join('\n')) };
}

/** Whether a stored result is one Custodian signed (or nothing is signed here: an unsigned deployment). */
function vouchedFor(row: Result & { keyId: string | null; signature: string | null }): boolean {
  const keys = trustedPublicKeys();
  if (keys.length === 0) return true;
  const key = keys.find((k) => k.keyId === row.keyId);
  return Boolean(key && row.signature && signatureHolds(key.key, statement(row), row.signature));
}

/**
 * A tripwire over what the last signed run replayed. Registry events are never removed (an archive carries them), so
 * every one it replayed must be replayed again: one that is gone was relabelled or deleted in the database (which the
 * check cannot otherwise see, as it replays only the events it finds), or altered. A head signed then and no longer
 * now was rolled back, or its key is no longer trusted.
 */
function goneSince(last: Replay, run: RegistryCheckRun): Drift | null {
  const subject = `Events 1 to ${last.throughSeq}`;
  if (run.through < last.throughSeq) {
    return {
      kind: 'event',
      id: `through:${last.throughSeq}`,
      subject,
      problem:
        `the last check found the chain signed through seq ${last.throughSeq}; it is signed only through ` +
        `${run.through} now: rolled back, or its key is no longer trusted`,
      unrecorded: false,
    };
  }
  const again = replayOf(run.replayed, last.throughSeq);
  if (again.eventCount === last.eventCount && again.eventsSha256 === last.eventsSha256) return null;
  return {
    kind: 'event',
    id: `through:${last.throughSeq}`,
    subject,
    problem:
      `the last check replayed ${last.eventCount} registry events here and ${again.eventCount} are found now as ` +
      'they were: one was relabelled or deleted in the database (or altered, above); npm run audit:verify names where',
    unrecorded: false,
  };
}

/** Runs the check and records its result: the scheduled job, and a person's "check now". */
export async function runRegistryCheck(db: Db = getDb()) {
  const started = performance.now();
  const recent = await db.registryCheck.findMany({ orderBy: { checkedAt: 'desc' }, take: 10 });
  const last = recent.find((r) => vouchedFor({ ...r, rows: r.rows as Drift[] }));
  const run = await registryCheckRun(db);
  const tripped = last ? goneSince(last, run) : null;
  const drift = tripped ? [tripped, ...run.drift] : run.drift;
  const rows = drift.slice(0, RESULT_ROWS);
  const counts = { driftCount: drift.length, unrecorded: drift.filter((d) => d.unrecorded).length };
  const replay = replayOf(run.replayed, run.through);
  const key = loadSigningKey();
  return db.$transaction(async (tx) => {
    // The row's time is the database's (a trigger sets it to the transaction's now()): read it here to sign it.
    const [now] = await tx.$queryRaw<{ at: Date }[]>`SELECT now()::timestamptz(3) AS "at"`;
    const signature = key ? signStatement(key, statement({ checkedAt: now!.at, ...counts, ...replay, rows })) : null;
    return tx.registryCheck.create({
      data: {
        ...counts,
        ...replay,
        rows,
        durationMs: Math.round(performance.now() - started),
        keyId: key?.keyId ?? null,
        signature,
      },
    });
  });
}

export type RegistryCheckResult = Result & {
  durationMs: number;
  /** Signed by Custodian with a key it trusts (always true where nothing is signed: an unsigned deployment). */
  vouched: boolean;
  /** Older than three of the job's hourly runs: the job is not running, or its newer results were deleted. */
  stale: boolean;
};

const STALE_MS = 3 * 60 * 60_000;

/** The latest result, for the System page (null before the first run). */
export async function latestRegistryCheck(actor: Actor | null): Promise<RegistryCheckResult | null> {
  requirePermission(actor, 'system.read');
  const row = await getDb().registryCheck.findFirst({ orderBy: { checkedAt: 'desc' } });
  if (!row) return null;
  const result = { ...row, rows: row.rows as Drift[] };
  const vouched = vouchedFor(result);
  return { ...result, vouched, stale: Date.now() - row.checkedAt.getTime() > STALE_MS };
}

/** An auditor's or lead's "check now": the counts, as the page then shows them. */
export async function checkRegistryNow(actor: Actor | null): Promise<string> {
  requirePermission(actor, 'audit.verify');
  const run = await runRegistryCheck();
  return run.driftCount === 0
    ? 'Every row matches its record.'
    : `${run.driftCount.toLocaleString('en')} ${run.driftCount === 1 ? 'row differs' : 'rows differ'} from the record.`;
}
