import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { getEnv } from '@/lib/env';
import { log } from '@/lib/ops/logger';
import { within } from '@/lib/ops/within';
import { getDb, getReplicaDb, type Db } from './client';

/**
 * Where a lag-tolerant read (timeline pages, exports, the synced findings, the dashboard) goes, and what the page
 * should say about it. Every write appends an audit event in its own transaction, so the timeline's head is the
 * watermark of the registry; the findings sync, which may change its tables without an event, is compared by when
 * it last ran.
 */
export type ReadSource = {
  db: Db;
  from: 'primary' | 'replica';
  /** null: no replica is configured. */
  replica: null | ReplicaState;
};

export type ReplicaState =
  | { state: 'current'; head: bigint }
  /** It lacks the events recorded since `since`; `lagSeconds` is how long ago that was. */
  | { state: 'behind'; head: bigint; since: Date; lagSeconds: number }
  /** Its head is not on this primary's chain: a copy of another database (another environment's, a restored one). */
  | { state: 'diverged'; head: bigint }
  | { state: 'unreachable' };

/** How long one check is reused: under load it costs a few small queries a second, not a few per request. */
const FRESH_MS = 1_000;
/** After an unreachable answer the replica is left alone this long, so its time-outs do not slow every read. */
const BACK_OFF_MS = 15_000;
/** The cookie naming the head a person's own last change reached: their next pages read at least that far. */
export const WROTE_COOKIE = 'custodian-wrote';

const memo = globalThis as { __custodianReadSource?: { until: number; answer: Promise<ReadSource> } };

/**
 * The replica while it is at most DATABASE_REPLICA_MAX_LAG_SECONDS behind and has what this person last wrote;
 * otherwise the primary. One answer per request (the data and the page's notice agree), checked afresh each second.
 */
export const readSource = cache(async (): Promise<ReadSource> => {
  const primary: ReadSource = { db: getDb(), from: 'primary', replica: null };
  if (!getEnv().DATABASE_REPLICA_URL) return primary;
  return forWriter(await checkedSource(), await ownWrite());
});

/**
 * Read-your-writes: a server action re-renders its page in the same request, and a person who just changed
 * something sees it on their next page, even while the replica has not replayed it yet.
 */
export function forWriter(source: ReadSource, wrote: bigint | 'in-this-request' | null): ReadSource {
  if (source.from !== 'replica' || wrote === null) return source;
  const head = source.replica?.state === 'unreachable' ? 0n : (source.replica?.head ?? 0n);
  if (wrote === 'in-this-request' || head < wrote) return { db: getDb(), from: 'primary', replica: source.replica };
  return source;
}

/** Tests change the replica's state between calls. */
export function forgetReadSource(): void {
  memo.__custodianReadSource = undefined;
}

/** What the page read from the request's source should tell its reader (only a replica that is behind says so). */
export async function readSourceNotice(): Promise<string | null> {
  return noticeFor(await readSource());
}

export function noticeFor(source: ReadSource): string | null {
  if (source.from !== 'replica' || source.replica?.state !== 'behind') return null;
  const { since, lagSeconds } = source.replica;
  return (
    `Read from a replica ${formatLag(lagSeconds)} behind the primary: ` +
    `what was recorded since ${since.toISOString().slice(11, 19)} UTC is not shown yet. Reload to catch up.`
  );
}

/**
 * The head a write still running will reach is not known: as a cookie's value, past any head, so every read of the
 * person's goes to the primary while the cookie lasts.
 */
export const UNFINISHED_WRITE = 2n ** 63n - 1n;

/**
 * After a person's change: their later pages read from a server that has it (the cookie lasts two minutes). A write
 * that streams its progress (an import) is `unfinished` when this is called, its end unknown: the cookie then names
 * `UNFINISHED_WRITE` and lasts fifteen minutes.
 */
export async function rememberOwnWrite(options: { unfinished?: boolean } = {}): Promise<void> {
  if (!getEnv().DATABASE_REPLICA_URL) return;
  const head = options.unfinished
    ? UNFINISHED_WRITE
    : ((await getDb().auditChainHead.findUnique({ where: { id: 1 }, select: { seq: true } }))?.seq ?? 0n);
  try {
    (await cookies()).set(WROTE_COOKIE, String(head), {
      httpOnly: true,
      sameSite: 'lax',
      secure: getEnv().NODE_ENV === 'production',
      path: '/',
      maxAge: options.unfinished ? 900 : 120,
    });
  } catch {
    // Outside a request (a job, a script): nobody's next page to keep fresh.
  }
}

/** The head this request's person last wrote through, 'in-this-request' inside a server action, else null. */
async function ownWrite(): Promise<bigint | 'in-this-request' | null> {
  try {
    if ((await headers()).has('next-action')) return 'in-this-request';
    return wroteThrough((await cookies()).get(WROTE_COOKIE)?.value);
  } catch {
    return null; // outside a request
  }
}

/**
 * The head a `custodian-wrote` cookie names. The person holds the cookie and may set it to anything: a value that is
 * not a seq is ignored, and any seq only sends that person's own reads to the primary.
 */
export function wroteThrough(value: string | undefined): bigint | null {
  return value && /^\d{1,19}$/.test(value) ? BigInt(value) : null;
}

function checkedSource(): Promise<ReadSource> {
  const cached = memo.__custodianReadSource;
  if (cached && Date.now() < cached.until) return cached.answer;
  const answer = decide();
  memo.__custodianReadSource = { until: Date.now() + FRESH_MS, answer };
  void answer.then((source) => {
    if (source.replica?.state === 'unreachable' && memo.__custodianReadSource?.answer === answer) {
      memo.__custodianReadSource.until = Date.now() + BACK_OFF_MS;
    }
  });
  return answer;
}

async function decide(): Promise<ReadSource> {
  const primary = getDb();
  const replica = getReplicaDb()!;
  const state = await replicaState(primary, replica);
  const maxLag = getEnv().DATABASE_REPLICA_MAX_LAG_SECONDS;
  if (state.state === 'current' || (state.state === 'behind' && state.lagSeconds <= maxLag)) {
    return { db: replica, from: 'replica', replica: state };
  }
  if (state.state === 'diverged') {
    log.error('DATABASE_REPLICA_URL is not a copy of this primary (its chain head differs): reading from the primary');
  } else {
    log.warn(
      { replica: state.state, lagSeconds: state.state === 'behind' ? state.lagSeconds : undefined, maxLag },
      'read replica passed over: reading from the primary',
    );
  }
  return { db: primary, from: 'primary', replica: state };
}

type Watermark = { head: bigint | null; hash: string | null; synced: Date | null };

const watermark = (db: Db) =>
  db.$queryRaw<Watermark[]>`SELECT e."seq" AS head, e."hash",
    (SELECT max("syncedAt") FROM "FindingDaily") AS synced
    FROM (SELECT 1) one
    LEFT JOIN LATERAL (SELECT "seq", "hash" FROM "AuditEvent" ORDER BY "seq" DESC LIMIT 1) e ON true`;

/**
 * The replica's head, then the first event after it on the primary: its age (by the primary's clock) is the lag. A
 * findings sync the replica lacks counts as lag since that sync. The event at the replica's head must be on the
 * primary with the same hash (every hash commits to the chain before it): a lagging copy passes, another database
 * with its own chain — behind this one or ahead of it — does not, and is never read.
 */
async function replicaState(primary: Db, replica: Db): Promise<ReplicaState> {
  let seen: Watermark;
  try {
    // A replica that hangs (packets dropped, a query waiting behind replay) counts as unreachable after 2 s.
    [seen] = (await within(watermark(replica), 2_000, 'the read replica')) as [Watermark];
  } catch (error) {
    log.warn({ err: error }, 'read replica unreachable');
    return { state: 'unreachable' };
  }
  const head = seen.head ?? 0n;
  const [[missing], [latest], [same]] = await Promise.all([
    primary.$queryRaw<{ recordedAt: Date; lag: number }[]>`
      SELECT "recordedAt", extract(epoch FROM now() - "recordedAt")::float8 AS lag
      FROM "AuditEvent" WHERE "seq" > ${head} ORDER BY "seq" LIMIT 1`,
    primary.$queryRaw<{ synced: Date | null; lag: number | null }[]>`
      SELECT max("syncedAt") AS synced, extract(epoch FROM now() - max("syncedAt"))::float8 AS lag
      FROM "FindingDaily"`,
    primary.$queryRaw<{ hash: string }[]>`SELECT "hash" FROM "AuditEvent" WHERE "seq" = ${head}`,
  ]);
  if (seen.head !== null && same?.hash !== seen.hash) return { state: 'diverged', head };
  const syncMissed = latest?.synced && (!seen.synced || seen.synced < latest.synced) ? latest : null;
  const oldest = [missing, syncMissed && { recordedAt: syncMissed.synced!, lag: syncMissed.lag! }]
    .filter((x): x is { recordedAt: Date; lag: number } => Boolean(x))
    .sort((a, b) => b.lag - a.lag)[0];
  if (!oldest) return { state: 'current', head };
  return { state: 'behind', head, since: oldest.recordedAt, lagSeconds: Math.max(0, oldest.lag) };
}

function formatLag(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.round(seconds / 60)} min`;
}
