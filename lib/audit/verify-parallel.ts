import 'server-only';
import { Worker } from 'node:worker_threads';
import { isPostgresServer, type Db } from '@/lib/db';
import { archivedRanges, firstPresentSeq } from './archive';
import { GENESIS_HASH } from './canonical';
import type { PublicKeys } from './signing';
import { verifyAuditChain, type ChainVerification, type VerifyOptions } from './verify';

// A full verification on several cores: the chain cut into disjoint seq ranges, each walked in a worker thread by the
// same verifier (its own connection, streaming its range). A range starts from the link its first event records and
// checks its own link out, which is the next range's start: together they are the whole chain, stitched. Only the
// last range, which ends at the head, checks the head and the unsigned tail. Workers load the TypeScript with tsx, as
// the CLI and the benchmark run (the server's scheduled run is incremental, on one thread).

// The worker registers tsx's loader (whatever started this process: the CLI, the benchmark, the test runner), then
// loads the range walker.
const WORKER = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(
  new URL('./verify-worker.ts', import.meta.url).href,
)}); })`;

/** A range: after `from` (the link its first event records), through `through`; the last range runs to the head. */
export type RangeTask = { from: { seq: bigint; hash: string }; through?: bigint };

/**
 * The disjoint ranges of `workers` walks over seqs 1..head, each starting at an event in the database (after any
 * archived range a trusted manifest covers).
 */
export async function planRanges(db: Db, workers: number, keys: PublicKeys): Promise<RangeTask[]> {
  const head = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  const archived = await archivedRanges(db, keys);
  const skip = (seq: bigint) => firstPresentSeq(archived, seq);
  const width = head.seq / BigInt(workers);
  const starts = [1n];
  for (let i = 1; i < workers && width > 0n; i++) {
    const s = skip(width * BigInt(i) + 1n);
    if (s > starts[starts.length - 1]! && s <= head.seq) starts.push(s);
  }
  const tasks: RangeTask[] = [];
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i]!;
    const first = s === 1n ? null : await db.auditEvent.findUnique({ where: { seq: s }, select: { prevHash: true } });
    // A start with no event is a gap: one walk names it (never a guessed link).
    if (s > 1n && !first) return [{ from: { seq: 0n, hash: GENESIS_HASH } }];
    tasks.push({
      from: { seq: s - 1n, hash: first?.prevHash ?? GENESIS_HASH },
      // The last range reads the head itself, and checks it and the unsigned tail as a single walk does.
      through: i + 1 < starts.length ? starts[i + 1]! - 1n : undefined,
    });
  }
  return tasks;
}

/** Verifies every event with `workers` threads; the result is the one a single walk gives. */
export async function verifyAuditChainParallel(
  db: Db,
  options: Omit<VerifyOptions, 'from' | 'through'> & { workers: number },
): Promise<ChainVerification> {
  // The embedded database has one connection: one walk.
  if (!isPostgresServer()) return verifyAuditChain(db, options);
  const tasks = await planRanges(db, Math.max(1, options.workers), options.keys ?? []);
  if (tasks.length === 1) return verifyAuditChain(db, options);
  const workers: Worker[] = [];
  try {
    const results = await Promise.all(
      tasks.map(
        (task) =>
          new Promise<ChainVerification>((resolve, reject) => {
            const worker = new Worker(WORKER, {
              eval: true,
              workerData: { task, keys: options.keys ?? [], witness: options.witness ?? [] },
              execArgv: ['--conditions=react-server'],
            });
            workers.push(worker);
            worker.once('message', resolve);
            worker.once('error', reject);
            // An exit before the answer (whatever its code) is a failure, never a wait.
            worker.once('exit', (code) =>
              reject(new Error(`A verification worker exited (${code}) without a result.`)),
            );
          }),
      ),
    );
    return combine(results);
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** The ranges' results as one walk's: the first break by seq, or every count summed and the last range's head. */
export function combine(results: ChainVerification[]): ChainVerification {
  const sum = (f: (r: ChainVerification) => number) => results.reduce((n, r) => n + f(r), 0);
  const checkpointsVerified = sum((r) => r.checkpointsVerified);
  const signaturesVerified = sum((r) => r.signaturesVerified);
  const broken = results.filter((r) => !r.ok).sort((a, b) => (a.brokenSeq < b.brokenSeq ? -1 : 1))[0];
  if (broken) return { ...broken, checkpointsVerified, signaturesVerified };
  const last = results[results.length - 1]!;
  if (!last.ok) throw new Error('unreachable');
  return {
    ...last,
    eventCount: sum((r) => (r.ok ? r.eventCount : 0)),
    archived: results.flatMap((r) => (r.ok ? r.archived : [])),
    walkedFromSeq: 1n,
    checkpointsVerified,
    signaturesVerified,
  };
}
