import 'server-only';
import { createHash } from 'node:crypto';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { appendAuditEvents, SYSTEM_ACTOR } from './append';
import { canonicalJson, toJson } from './canonical';
import { registryCheckRun, type Drift, type RegistryCheckRun } from './drift';
import { REPLAY_SETS, REPLAYS, type RegistryCheckedDetails } from './registry-actions';
import { lastSignedSeq } from './registry-events';
import { loadSigningKey, signatureHolds, signStatement, trustedPublicKeys } from './signing';

// The registry check as a job: replaying every credential, agent, purpose and grant takes minutes at 100k agents and
// 10M events, so the System page shows the latest result, signed like a verification's (a result written in the
// database carries no signature that holds, and the page says so). Each run is also an event on the chain
// (`registry.checked`): the next run's tripwire reads the last one there, where deleting or rewriting it breaks the
// chain, not from the results table, which whoever holds the database can empty.

/** Rows a result keeps (the page lists them); its counts cover them all. */
export const RESULT_ROWS = 200;

type Replay = { throughSeq: bigint; eventCount: number; eventsSha256: string };
/** A replay and the actions it counted (REPLAY_SETS): what a check records on the chain, the next compares with. */
type Reference = Replay & { replays: number };
type Result = Replay & { checkedAt: Date; driftCount: number; unrecorded: number; rows: Drift[] };

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What a result's signature covers (exported for the tests that stand in for an earlier release's result). */
export function statement(r: Result) {
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

/** The events replayed up to `through`, of the actions a release counted (REPLAY_SETS), as a check records them. */
function replayOf(replayed: RegistryCheckRun['replayed'], through: bigint, replays = REPLAYS): Reference {
  const actions = REPLAY_SETS[replays]!;
  const seqs = replayed.filter((e) => e.seq <= through && actions.has(e.action)).map((e) => e.seq);
  return { throughSeq: through, eventCount: seqs.length, eventsSha256: sha256(seqs.join('\n')), replays };
}

/** Whether a stored result is one Custodian signed (or nothing is signed here: an unsigned deployment). */
function vouchedFor(row: Result & { keyId: string | null; signature: string | null }): boolean {
  const keys = trustedPublicKeys();
  if (keys.length === 0) return true;
  const key = keys.find((k) => k.keyId === row.keyId);
  return Boolean(key && row.signature && signatureHolds(key.key, statement(row), row.signature));
}

/** The replay a `registry.checked` event records. */
const recordedReplay = (d: RegistryCheckedDetails): Reference => ({
  throughSeq: BigInt(d.throughSeq),
  eventCount: d.eventCount,
  eventsSha256: d.eventsSha256,
  replays: d.replays,
});

/**
 * A tripwire over what the last check on the chain replayed. Registry events are never removed (an archive carries
 * them), so every one it replayed must be replayed again: one that is gone was relabelled or deleted in the database
 * (which the check cannot otherwise see, as it replays only the events it finds), or altered. A head signed then and
 * no longer now was rolled back, or its key is no longer trusted.
 */
function goneSince(last: Reference, run: RegistryCheckRun): Drift | null {
  const again = replayOf(run.replayed, last.throughSeq, last.replays);
  const problem =
    run.through < last.throughSeq
      ? `a check found the chain signed through seq ${last.throughSeq}; it is signed only through ` +
        `${run.through} now: rolled back, or its key is no longer trusted`
      : again.eventCount !== last.eventCount || again.eventsSha256 !== last.eventsSha256
        ? `a check replayed ${last.eventCount} registry events here and ${again.eventCount} are found now as ` +
          'they were: one was relabelled or deleted in the database (or altered, above); npm run audit:verify names ' +
          'where'
        : null;
  if (!problem) return null;
  return {
    kind: 'event',
    id: `through:${last.throughSeq}`,
    subject: `Events 1 to ${last.throughSeq}`,
    problem,
    unrecorded: false,
  };
}

/**
 * Whether an archive was restored after `seq` (by the owner's command, an event the check credits like any other):
 * one made by an earlier release carries no purpose's or grant's events, which then appear where the last replay did
 * not count them.
 */
const restoredAfter = (run: RegistryCheckRun, seq: bigint) =>
  run.replayed.some((e) => e.action === 'audit.restored' && e.seq > seq);

/** Runs the check and records its result, and the event that says so: the scheduled job, and a "check now". */
export async function runRegistryCheck(db: Db = getDb()) {
  const started = performance.now();
  // The newest of the chain's last check and the newest signed result: the chain's survives the table being emptied,
  // the table's a rollback of the chain's tail (and covers the runs of a release that did not record them).
  const recent = await db.registryCheck.findMany({ orderBy: { checkedAt: 'desc' }, take: 10 });
  const row = recent.find((r) => vouchedFor({ ...r, rows: r.rows as Drift[] }));
  const run = await registryCheckRun(db);
  const recorded = run.lastCheck ? recordedReplay(run.lastCheck) : null;
  // With no check on the chain yet, a signed result is an earlier release's (this one appends a check with each), and
  // counted fewer actions. (Once there is one, a newer result is taken as this release's, its check hidden: one of
  // the release before whose check was hidden then trips, which is an alarm raised, not one missed.)
  const last: Reference | null =
    row && (!recorded || row.throughSeq > recorded.throughSeq)
      ? {
          throughSeq: row.throughSeq,
          eventCount: row.eventCount,
          eventsSha256: row.eventsSha256,
          replays: run.lastCheck ? REPLAYS : 1,
        }
      : recorded;
  // An archive restored since puts back events its manifest may not have carried: the next run compares again.
  const tripped = last && !restoredAfter(run, last.throughSeq) ? goneSince(last, run) : null;
  const drift = tripped ? [tripped, ...run.drift] : run.drift;
  const rows = drift.slice(0, RESULT_ROWS);
  const counts = { driftCount: drift.length, unrecorded: drift.filter((d) => d.unrecorded).length };
  // What the next run must find again: this run's replay; or, when it found events gone or the chain broken, the replay
  // it compared with (with the actions it counted; with none, nothing), not its own over the broken chain: the alarm
  // holds until the events are back, not for one run that nobody reads, and their return raises none.
  const replay: Reference =
    tripped || run.walkBroken ? (last ?? replayOf(run.replayed, 0n)) : replayOf(run.replayed, run.through);
  const { replays, ...counted } = replay;
  const key = loadSigningKey();
  return db.$transaction(async (tx) => {
    // The row's time is the database's (a trigger sets it to the transaction's now()): read it here to sign it.
    const [now] = await tx.$queryRaw<{ at: Date }[]>`SELECT now()::timestamptz(3) AS "at"`;
    const signature = key ? signStatement(key, statement({ checkedAt: now!.at, ...counts, ...counted, rows })) : null;
    const result = await tx.registryCheck.create({
      data: {
        ...counts,
        ...counted,
        rows,
        durationMs: Math.round(performance.now() - started),
        keyId: key?.keyId ?? null,
        signature,
      },
    });
    const details = {
      checkId: result.id,
      ...counts,
      throughSeq: String(counted.throughSeq),
      eventCount: counted.eventCount,
      eventsSha256: counted.eventsSha256,
      replays,
    };
    // Nothing the dashboard counts changed: its figures stay.
    await appendAuditEvents(tx, [{ action: 'registry.checked', actor: SYSTEM_ACTOR, details }], undefined, {
      recordsOnly: true,
    });
    return result;
  });
}

export type RegistryCheckResult = Result & {
  durationMs: number;
  /** Signed by Custodian with a key it trusts (always true where nothing is signed: an unsigned deployment). */
  vouched: boolean;
  /** Older than three of the job's hourly runs: the job is not running, or its newer results were deleted. */
  stale: boolean;
};

/** The System page's view: the latest result, and the last check the chain records if its result is gone. */
export type RegistryCheckView = {
  /** null before the first run, or with every result deleted. */
  latest: RegistryCheckResult | null;
  /** The chain's last `registry.checked`, when the result it names is not in the table: deleted in the database. */
  deleted: { seq: bigint; recordedAt: Date; driftCount: number | null } | null;
};

const STALE_MS = 3 * 60 * 60_000;

/** The latest result, and whether the last one the chain records is still there (the System page). */
export async function latestRegistryCheck(actor: Actor | null): Promise<RegistryCheckView> {
  requirePermission(actor, 'system.read');
  const db = getDb();
  // The last check a signed head covers (one appended around Custodian is not its), its count read as null when it is
  // not a whole number (a tombstone, or written by hand), never as an error.
  const signed = await lastSignedSeq(db);
  const [row, [recorded]] = await Promise.all([
    db.registryCheck.findFirst({ orderBy: { checkedAt: 'desc' } }),
    db.$queryRaw<{ seq: bigint; recordedAt: Date; checkId: string | null; driftCount: number | null }[]>`
      SELECT "seq", "recordedAt", "details" ->> 'checkId' AS "checkId",
        CASE WHEN ("details" ->> 'driftCount') ~ '^[0-9]{1,9}$' THEN ("details" ->> 'driftCount')::int END
          AS "driftCount"
      FROM "AuditEvent" WHERE "action" = 'registry.checked' AND (${signed}::bigint IS NULL OR "seq" <= ${signed})
      ORDER BY "seq" DESC LIMIT 1`,
  ]);
  // Compared by id, not by time: two runs at once may append their events in the other order. A row put back in its
  // place is not the result unless Custodian signed it (the latest edited in place is shown as not vouched for).
  const elsewhere = recorded?.checkId && recorded.checkId !== row?.id ? recorded.checkId : null;
  const named = elsewhere ? await db.registryCheck.findUnique({ where: { id: elsewhere } }) : null;
  const gone = elsewhere !== null && !(named && vouchedFor({ ...named, rows: named.rows as Drift[] }));
  const deleted =
    gone && recorded ? { seq: recorded.seq, recordedAt: recorded.recordedAt, driftCount: recorded.driftCount } : null;
  if (!row) return { latest: null, deleted };
  const result = { ...row, rows: row.rows as Drift[] };
  const latest = { ...result, vouched: vouchedFor(result), stale: Date.now() - row.checkedAt.getTime() > STALE_MS };
  return { latest, deleted };
}

/** An auditor's or lead's "check now": the counts, as the page then shows them. */
export async function checkRegistryNow(actor: Actor | null): Promise<string> {
  requirePermission(actor, 'audit.verify');
  const run = await runRegistryCheck();
  return run.driftCount === 0
    ? 'Every row matches its record.'
    : `${run.driftCount.toLocaleString('en')} ${run.driftCount === 1 ? 'row differs' : 'rows differ'} from the record.`;
}
