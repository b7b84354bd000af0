import 'server-only';
import { createHash } from 'node:crypto';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db } from '@/lib/db';
import { canonicalJson, toJson } from './canonical';
import { registryDrift, type Drift } from './drift';
import { loadSigningKey, signatureHolds, signStatement, trustedPublicKeys } from './signing';

// The registry check as a job: replaying every credential and agent takes seconds at 100k agents, so the System
// page shows the latest result, signed like a verification's (a result written in the database carries no
// signature that holds, and the page says so).

/** Rows a result keeps (the page lists them); its counts cover them all. */
export const RESULT_ROWS = 200;

type Result = { checkedAt: Date; driftCount: number; unrecorded: number; rows: Drift[] };

function statement(r: Result) {
  const rowsSha256 = createHash('sha256')
    .update(canonicalJson(toJson(r.rows)))
    .digest('hex');
  return {
    kind: 'registry-check',
    checkedAt: r.checkedAt,
    driftCount: r.driftCount,
    unrecorded: r.unrecorded,
    rowsSha256,
  } as const;
}

/** Runs the check and records its result: the scheduled job, and a person's "check now". */
export async function runRegistryCheck(db: Db = getDb()) {
  const started = performance.now();
  const drift = await registryDrift(db);
  const rows = drift.slice(0, RESULT_ROWS);
  const counts = { driftCount: drift.length, unrecorded: drift.filter((d) => d.unrecorded).length };
  const key = loadSigningKey();
  return db.$transaction(async (tx) => {
    // The row's time is the database's (a trigger sets it to the transaction's now()): read it here to sign it.
    const [now] = await tx.$queryRaw<{ at: Date }[]>`SELECT now()::timestamptz(3) AS "at"`;
    const signature = key ? signStatement(key, statement({ checkedAt: now!.at, ...counts, rows })) : null;
    return tx.registryCheck.create({
      data: {
        ...counts,
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
  const keys = trustedPublicKeys();
  const key = keys.find((k) => k.keyId === row.keyId);
  const vouched =
    keys.length === 0 || Boolean(key && row.signature && signatureHolds(key.key, statement(result), row.signature));
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
