import 'server-only';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Db } from '@/lib/db';
import { getEnv } from '@/lib/env';
import { log } from '@/lib/ops/logger';
import { resolveSecret } from '@/lib/secrets/secret-ref';
import { checkpointHolds, trustedPublicKeys } from './signing';

/**
 * A checkpoint as the witness keeps it, outside the database: whoever can rewrite the database (or restore an old
 * backup of it) cannot reach the witness, so a chain that no longer extends a witnessed checkpoint is caught.
 */
export type WitnessedCheckpoint = {
  number: bigint;
  format: number;
  seq: bigint;
  hash: string;
  signedAt: Date;
  keyId: string;
  signature: string;
};

type Stored = Omit<WitnessedCheckpoint, 'number' | 'seq'> & { number: bigint; seq: bigint };

export function witnessLine(c: Stored): string {
  return `${JSON.stringify({
    number: c.number.toString(),
    format: c.format,
    seq: c.seq.toString(),
    hash: c.hash,
    signedAt: c.signedAt.toISOString(),
    keyId: c.keyId,
    signature: c.signature,
  })}\n`;
}

/** The witness file's checkpoints; a line that is not one is an error naming its line. */
export function parseWitness(text: string): WitnessedCheckpoint[] {
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      try {
        const v = JSON.parse(line) as Record<string, unknown>;
        const entry = {
          number: BigInt(v.number as string),
          format: Number(v.format),
          seq: BigInt(v.seq as string),
          hash: String(v.hash),
          signedAt: new Date(String(v.signedAt)),
          keyId: String(v.keyId),
          signature: String(v.signature),
        };
        if (!/^[0-9a-f]{64}$/.test(entry.hash) || Number.isNaN(entry.signedAt.getTime())) throw new Error('fields');
        return entry;
      } catch {
        throw new Error(`Witness line ${n} is not a checkpoint.`);
      }
    });
}

/** The configured witness file's checkpoints (none when it is not configured or not yet written). */
export function readWitnessFile(): WitnessedCheckpoint[] {
  const file = getEnv().AUDIT_WITNESS_FILE;
  return file && existsSync(file) ? parseWitness(readFileSync(file, 'utf8')) : [];
}

const bearer = (): Record<string, string> => {
  const ref = getEnv().AUDIT_WITNESS_TOKEN;
  return ref ? { authorization: `Bearer ${resolveSecret(ref)}` } : {};
};

export type WitnessRead = {
  /** Every checkpoint the witnesses hold: the file's and the URL's. */
  checkpoints: WitnessedCheckpoint[];
  /** Why the chain could not be checked against the URL's witness (it did not answer, or lacks checkpoints). */
  problem: string | null;
};

/** A stored checkpoint older than this that the URL's witness lacks was lost on the way: sent again. */
const IN_FLIGHT_MS = 5 * 60_000;
const RESENT_PER_RUN = 200;

/**
 * Every checkpoint the witnesses hold: the file's, and what AUDIT_WITNESS_URL answers to a GET (the lines it was
 * POSTed, one JSON object per line, with the same bearer token). A witness that is written to but never read back
 * catches nothing, and one that missed checkpoints (down when they were signed, or answering less than it was sent)
 * vouches for less than it seems: each stored checkpoint it lacks (from its first line on, or the latest when it holds
 * none) is sent again, and until it holds them the chain is not called checked against it.
 */
export async function readWitness(db: Db): Promise<WitnessRead> {
  const url = getEnv().AUDIT_WITNESS_URL;
  const fromFile = readWitnessFile();
  if (!url) return { checkpoints: fromFile, problem: null };
  const where = `the witness at ${new URL(url).host}`;
  let held: WitnessedCheckpoint[];
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/x-ndjson', ...bearer() },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    held = parseWitness(await response.text());
  } catch (error) {
    // The file is still checked: a rollback it catches is named, not hidden behind the URL's silence.
    return { checkpoints: fromFile, problem: `${where} could not be read (${(error as Error).message})` };
  }
  const numbers = new Set(held.map((c) => c.number));
  const first = held.reduce<bigint | null>((n, c) => (n === null || c.number < n ? c.number : n), null);
  const stored = await db.auditCheckpoint.findMany({
    where: {
      signedAt: { lt: new Date(Date.now() - IN_FLIGHT_MS) },
      ...(first === null ? {} : { number: { gt: first } }),
    },
    orderBy: { number: first === null ? 'desc' : 'asc' },
    take: first === null ? 1 : undefined,
  });
  // Only checkpoints that hold for a trusted key: a row forged in the database is never sent on to the witness, where
  // it would stay after the row is cleaned up.
  const keys = trustedPublicKeys();
  const missing = stored.filter((c) => !numbers.has(c.number) && checkpointHolds(keys, c));
  for (const c of missing.slice(0, RESENT_PER_RUN)) await witnessCheckpoint(c);
  const problem = missing.length
    ? `${where} lacks ${missing.length} signed checkpoint(s) (from number ${missing[0]!.number}): sent again, ` +
      'the chain is checked against it once it holds them'
    : null;
  return { checkpoints: [...fromFile, ...held], problem };
}

const RETRIES = [1_000, 4_000, 15_000];

/**
 * Writes a new checkpoint to every configured witness: a line appended to AUDIT_WITNESS_FILE, and a POST of the same
 * JSON to AUDIT_WITNESS_URL (with AUDIT_WITNESS_TOKEN as a bearer token), retried. A failure is logged, never thrown:
 * the checkpoint stands in the database either way, and the next one is sent as usual.
 */
export async function witnessCheckpoint(checkpoint: Stored): Promise<void> {
  const env = getEnv();
  const line = witnessLine(checkpoint);
  if (env.AUDIT_WITNESS_FILE) {
    try {
      appendFileSync(env.AUDIT_WITNESS_FILE, line, { mode: 0o640 });
    } catch (error) {
      log.error({ err: error }, `audit witness: could not append checkpoint ${checkpoint.number} to the witness file`);
    }
  }
  if (!env.AUDIT_WITNESS_URL) return;
  for (let attempt = 0; ; attempt++) {
    try {
      const response = await fetch(env.AUDIT_WITNESS_URL, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer() },
        body: line,
        signal: AbortSignal.timeout(10_000),
      });
      if (response.ok) return;
      throw new Error(`HTTP ${response.status}`);
    } catch (error) {
      if (attempt >= RETRIES.length) {
        log.error({ err: error }, `audit witness: checkpoint ${checkpoint.number} was not accepted by the witness URL`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, RETRIES[attempt]));
    }
  }
}
