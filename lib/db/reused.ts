import 'server-only';
import type { Db } from './client';

/** How long a reused answer is fresh: what only time changes (due dates passing, exceptions expiring) shows by then. */
const REUSE_MS = 30_000;
/**
 * How long past REUSE_MS an answer may still be handed out while a fresh one is computed beside it: the reader that
 * finds it expired does not wait for the recount (on the reviews queue, 20–30 ms of counting on the request that drew
 * it, every 30 s on every instance: the tail of the page's latency). Older than this, a reader waits for the new one.
 */
const STALE_MS = 30_000;

type Entry = { mark: bigint; at: number; value: Promise<unknown>; refreshing?: boolean };

const memo = globalThis as { __custodianReused?: Map<string, Entry> };

/**
 * An answer that is the same for every reader (the dashboard's figures, a queue's tab counts), computed once and
 * reused until the registry changes or for REUSE_MS. The mark is the chain head's `registrySeq`: every change appends
 * an event and moves it (the next reader waits for an answer that includes it); decisions and uses, which only record,
 * leave it. Past REUSE_MS with the mark unchanged, the answer is handed out for up to STALE_MS more while it is
 * recomputed. A failure is not kept: the next reader computes afresh. `key` names the answer and every setting it
 * depends on.
 */
export async function reusedUntilChange<T>(db: Db, key: string, compute: () => Promise<T>): Promise<T> {
  const head = await db.auditChainHead.findUnique({ where: { id: 1 }, select: { registrySeq: true } });
  const mark = head?.registrySeq ?? 0n;
  const entries = (memo.__custodianReused ??= new Map());
  // An answer computed under another mark is never handed out: a change shows to the next reader.
  const found = entries.get(key);
  const entry = found?.mark === mark ? found : undefined;
  const age = entry ? Date.now() - entry.at : Infinity;
  if (entry && age <= REUSE_MS) return entry.value as Promise<T>;
  if (entry && age <= REUSE_MS + STALE_MS) {
    if (!entry.refreshing) {
      entry.refreshing = true;
      // Replaced only once it is known good: a failed recount leaves the old answer (and a later reader retries).
      const started = Date.now();
      // A microtask: a compute that throws at once fails this promise, not the reader (and `refreshing` resets).
      Promise.resolve()
        .then(compute)
        .then(
          (value) => {
            if (entries.get(key) === entry) entries.set(key, { mark, at: started, value: Promise.resolve(value) });
          },
          () => {
            entry.refreshing = false;
          },
        );
    }
    return entry.value as Promise<T>;
  }
  const value = compute();
  entries.set(key, { mark, at: Date.now(), value });
  value.catch(() => {
    if (entries.get(key)?.value === value) entries.delete(key);
  });
  return value;
}

/** Forgets every reused answer: the benchmark times them computed, as the first reader after a change gets them. */
export function forgetReused(): void {
  memo.__custodianReused?.clear();
}
