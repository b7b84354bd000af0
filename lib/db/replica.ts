import 'server-only';
import { getEnv } from '@/lib/env';
import { log } from '@/lib/ops/logger';
import { getDb, getReplicaDb, type Db } from './client';

/**
 * Where a lag-tolerant read (timeline pages, exports, the synced findings, the dashboard) goes, and what the page
 * should say about it. Every write appends an audit event in its own transaction, so the timeline's head is the
 * watermark of everything: the replica is behind by exactly the events it lacks, and as stale as the oldest of them.
 */
export type ReadSource = {
  db: Db;
  from: 'primary' | 'replica';
  /** null: no replica is configured. */
  replica: null | ReplicaState;
};

export type ReplicaState =
  | { state: 'current' }
  /** It lacks the events recorded since `since`; `lagSeconds` is how long ago that was. */
  | { state: 'behind'; since: Date; lagSeconds: number }
  | { state: 'unreachable' };

/** How long one answer is reused: under load the check costs two small queries a second, not two per request. */
const FRESH_MS = 1_000;

const memo = globalThis as { __custodianReadSource?: { at: number; answer: Promise<ReadSource> } };

/**
 * The replica while it is at most DATABASE_REPLICA_MAX_LAG_SECONDS behind, otherwise the primary. Decided afresh
 * each second, so a replica that stops replaying is passed over once its oldest missing event is older than that.
 */
export function readSource(): Promise<ReadSource> {
  if (!getEnv().DATABASE_REPLICA_URL) return Promise.resolve({ db: getDb(), from: 'primary', replica: null });
  const cached = memo.__custodianReadSource;
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.answer;
  const answer = decide();
  memo.__custodianReadSource = { at: Date.now(), answer };
  return answer;
}

/** Tests change the replica's state between calls. */
export function forgetReadSource(): void {
  memo.__custodianReadSource = undefined;
}

async function decide(): Promise<ReadSource> {
  const primary = getDb();
  const replica = getReplicaDb()!;
  const state = await replicaState(primary, replica);
  const maxLag = getEnv().DATABASE_REPLICA_MAX_LAG_SECONDS;
  if (state.state === 'current' || (state.state === 'behind' && state.lagSeconds <= maxLag)) {
    return { db: replica, from: 'replica', replica: state };
  }
  log.warn(
    { replica: state.state, lagSeconds: state.state === 'behind' ? state.lagSeconds : undefined, maxLag },
    'read replica passed over: reading from the primary',
  );
  return { db: primary, from: 'primary', replica: state };
}

/** The replica's head, then the first event after it on the primary: its age (by the primary's clock) is the lag. */
export async function replicaState(primary: Db, replica: Db): Promise<ReplicaState> {
  let head: bigint;
  try {
    const [row] = await replica.$queryRaw<{ head: bigint | null }[]>`SELECT max("seq") AS head FROM "AuditEvent"`;
    head = row?.head ?? 0n;
  } catch (error) {
    log.warn({ err: error }, 'read replica unreachable');
    return { state: 'unreachable' };
  }
  const [missing] = await primary.$queryRaw<{ recordedAt: Date; lag: number }[]>`
    SELECT "recordedAt", extract(epoch FROM now() - "recordedAt")::float8 AS lag
    FROM "AuditEvent" WHERE "seq" > ${head} ORDER BY "seq" LIMIT 1`;
  if (!missing) return { state: 'current' };
  return { state: 'behind', since: missing.recordedAt, lagSeconds: Math.max(0, missing.lag) };
}

/** What a page read from `source` tells its reader: only a replica that is behind has something to say. */
export function readSourceNotice(source: ReadSource): string | null {
  if (source.from !== 'replica' || source.replica?.state !== 'behind') return null;
  const { since, lagSeconds } = source.replica;
  return (
    `Read from a replica ${formatLag(lagSeconds)} behind the primary: ` +
    `what was recorded since ${since.toISOString().slice(11, 19)} UTC is not shown yet. Reload to catch up.`
  );
}

function formatLag(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}
