import 'server-only';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { getEnv } from '@/lib/env';
import { log } from '@/lib/ops/logger';
import { resolveSecret } from '@/lib/secrets/secret-ref';

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

/** A configured witness that could not be read: the chain was not checked against it. */
export class WitnessUnreadable extends Error {}

const bearer = (): Record<string, string> => {
  const ref = getEnv().AUDIT_WITNESS_TOKEN;
  return ref ? { authorization: `Bearer ${resolveSecret(ref)}` } : {};
};

/**
 * Every checkpoint the witnesses hold: the file's, and what AUDIT_WITNESS_URL answers to a GET (the lines it was
 * POSTed, one JSON object per line, with the same bearer token). A witness that is written to but never read back
 * catches nothing. Throws WitnessUnreadable when a configured witness does not answer with checkpoints.
 */
export async function readWitness(): Promise<WitnessedCheckpoint[]> {
  const url = getEnv().AUDIT_WITNESS_URL;
  const fromFile = readWitnessFile();
  if (!url) return fromFile;
  const where = `the witness at ${new URL(url).host}`;
  let text: string;
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/x-ndjson', ...bearer() },
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    text = await response.text();
  } catch (error) {
    throw new WitnessUnreadable(`${where} could not be read (${error instanceof Error ? error.message : error})`);
  }
  try {
    return [...fromFile, ...parseWitness(text)];
  } catch (error) {
    throw new WitnessUnreadable(`${where} answered something else than checkpoints: ${(error as Error).message}`);
  }
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
