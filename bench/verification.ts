// The verification rows: a full walk on one thread (recorded, as the badge's "Verify now"), the same on every core
// (worker threads over disjoint ranges), and the scheduled incremental run after a checkpoint and 10,000 new events.
// Target (issue 24): full ≤ 60 s per 10M events, or parallel ≥ 1.7× the one-thread rate.
import { availableParallelism } from 'node:os';
import { appendAuditEvents, SYSTEM_ACTOR } from '@/lib/audit';
import { runVerification, signCheckpoint } from '@/lib/audit/integrity';
import { trustedPublicKeys } from '@/lib/audit/signing';
import { verifyAuditChainParallel } from '@/lib/audit/verify-parallel';
import type { Db } from '@/lib/db';

export type VerificationRow = { name: string; seconds: number; events: number; ok: boolean };

const NEW_EVENTS = 10_000;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await fn();
  return [value, (performance.now() - started) / 1000];
}

export async function verificationRows(db: Db): Promise<VerificationRow[]> {
  // An append first, so the head the rows verify is one the application signed (the loader signs its chunks too).
  await db.$transaction((tx) =>
    appendAuditEvents(tx, [{ action: 'system.note', actor: SYSTEM_ACTOR, details: { note: 'bench: sign the head' } }]),
  );
  const [full, fullSeconds] = await timed(() => runVerification(db, null, 'full'));
  const workers = Math.max(2, availableParallelism());
  const [parallel, parallelSeconds] = await timed(() =>
    verifyAuditChainParallel(db, { keys: trustedPublicKeys(), workers }),
  );
  await signCheckpoint();
  for (let i = 0; i < NEW_EVENTS; i += 100) {
    await db.$transaction((tx) =>
      appendAuditEvents(
        tx,
        Array.from({ length: 100 }, (_, j) => ({
          action: 'system.note' as const,
          actor: SYSTEM_ACTOR,
          details: { note: `bench: new event ${i + j}` },
        })),
      ),
    );
  }
  const [incremental, incrementalSeconds] = await timed(() => runVerification(db, null, 'incremental'));
  return [
    { name: 'full, 1 thread (recorded)', seconds: fullSeconds, events: full.eventCount, ok: full.ok },
    {
      name: `full, ${workers} worker threads`,
      seconds: parallelSeconds,
      events: parallel.ok ? parallel.eventCount : 0,
      ok: parallel.ok,
    },
    {
      name: `incremental (${incremental.mode}), ${NEW_EVENTS.toLocaleString('en')} new`,
      seconds: incrementalSeconds,
      events: incremental.eventCount,
      ok: incremental.ok && incremental.mode === 'incremental',
    },
  ];
}

/** The rows as a table, with the targets and what they project to at 100M and 1B events. */
export function printVerification(rows: VerificationRow[]): void {
  const met = (ok: boolean) => (ok ? 'met' : 'MISSED');
  const rate = (r: VerificationRow) => r.events / Math.max(0.001, r.seconds);
  console.log(
    `\n${'verification'.padEnd(36)} ${'s'.padStart(8)} ${'events'.padStart(12)} ${'events/s'.padStart(10)}  ok`,
  );
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(36)} ${r.seconds.toFixed(1).padStart(8)} ${r.events.toLocaleString('en').padStart(12)} ` +
        `${Math.round(rate(r)).toLocaleString('en').padStart(10)}  ${r.ok ? 'yes' : 'NO'}`,
    );
  }
  const [one, many, incremental] = rows as [VerificationRow, VerificationRow, VerificationRow];
  const speedup = rate(many) / Math.max(1, rate(one));
  // The target names 10M events; the dataset grows with each run's appends, so its walk is also given per 10M.
  const per10M = 1e7 / Math.max(1, rate(many));
  console.log(
    `${'full verification target'.padEnd(36)} ${many.seconds.toFixed(0)} s for ` +
      `${(many.events / 1e6).toFixed(2)}M events (${per10M.toFixed(0)} s per 10M) ≤ 60 s per 10M or ` +
      `${speedup.toFixed(2)}× ≥ 1.7×: ${met(many.ok && (per10M <= 60 || speedup >= 1.7))}`,
  );
  // Projections from the measured rates: a full walk, and a daily incremental run (a thirtieth of the chain as its
  // sample, plus a day's new events at 10,000 agents × 100).
  for (const total of [1e8, 1e9]) {
    const daily = total / 30 + 1e6;
    console.log(
      `${`at ${total.toExponential(0)} events`.padEnd(36)} full ${(total / rate(many) / 60).toFixed(0)} min on ` +
        `threads; daily incremental ${(daily / rate(incremental) / 60).toFixed(0)} min`,
    );
  }
}
