import 'server-only';
import type { Db } from './client';

/** How long a reused answer may lag what only time changes (due dates passing, exceptions expiring). */
const REUSE_MS = 30_000;

type Entry = { mark: bigint; at: number; value: Promise<unknown> };

const memo = globalThis as { __custodianReused?: Map<string, Entry> };

/**
 * An answer that is the same for every reader (the dashboard's figures, a queue's tab counts), computed once and
 * reused until the registry changes or for at most REUSE_MS. The mark is the chain head's `registrySeq`: every change
 * appends an event and moves it; decisions and uses, which only record, leave it. A failure is not kept: the next
 * reader computes afresh. `key` names the answer and every setting it depends on.
 */
export async function reusedUntilChange<T>(db: Db, key: string, compute: () => Promise<T>): Promise<T> {
  const head = await db.auditChainHead.findUnique({ where: { id: 1 }, select: { registrySeq: true } });
  const mark = head?.registrySeq ?? 0n;
  const entries = (memo.__custodianReused ??= new Map());
  let entry = entries.get(key);
  if (!entry || entry.mark !== mark || Date.now() - entry.at > REUSE_MS) {
    const value = compute();
    entry = { mark, at: Date.now(), value };
    entries.set(key, entry);
    value.catch(() => {
      if (entries.get(key)?.value === value) entries.delete(key);
    });
  }
  return entry.value as Promise<T>;
}

/** Forgets every reused answer: the benchmark times them computed, as the first reader after a change gets them. */
export function forgetReused(): void {
  memo.__custodianReused?.clear();
}
