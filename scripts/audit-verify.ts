// `npm run audit:verify [-- --public-key <file> ...]`: walks the custody
// timeline, recomputes every hash and, with public keys, checks every signed
// checkpoint: its signature, and that the chain still reaches its hash (which
// catches a change made by someone who recomputed the hashes after it).
// Exits 1 naming the first broken seq.
// `npm run audit:verify -- --pack <zip> --public-key <file>` checks an
// evidence pack offline, with no database.
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyAuditChain } from '@/lib/audit';
import { trustedCheckpoints } from '@/lib/audit/integrity';
import { verifyPack } from '@/lib/audit/pack-format';
import { keyIdOf, publicKeyFromPem } from '@/lib/audit/signing';
import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'public-key': { type: 'string', multiple: true }, pack: { type: 'string' } },
  });
  const keys = (values['public-key'] ?? []).map((file) => {
    const key = publicKeyFromPem(readFileSync(file, 'utf8'));
    return { keyId: keyIdOf(key), key };
  });
  if (values.pack) return checkPack(values.pack, keys);
  const started = performance.now();
  const db = getDb();
  const { trusted, forged, otherKeys } = await trustedCheckpoints(db, keys);
  if (forged.length > 0) {
    console.error(
      `Audit chain BROKEN: the checkpoint at seq ${forged[0]} carries a signature that does not hold for key ` +
        `${keys.map((k) => k.keyId).join(', ')}.`,
    );
    return 1;
  }
  const result = await verifyAuditChain(db, trusted);
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (!result.ok) {
    console.error(`Audit chain BROKEN at seq ${result.brokenSeq}: ${result.reason}.`);
    console.error(`Events up to seq ${result.verifiedThroughSeq} verify.`);
    return 1;
  }
  const rate = Math.round(result.eventCount / Math.max(0.001, Number(seconds)));
  console.log(
    `Audit chain verified: ${result.eventCount} events, seq 1 to ${result.verifiedThroughSeq}, head hash ` +
      `${result.headHash} ` +
      `(${seconds} s, ${rate.toLocaleString('en')} events/s).`,
  );
  if (keys.length === 0) console.log('No --public-key given: signed checkpoints were not checked.');
  else
    console.log(
      `Signed checkpoints: ${result.checkpointsVerified} ` +
        `verified${otherKeys ? `, ${otherKeys} signed by other keys (pass their public keys too)` : ''}.`,
    );
  return 0;
}

function checkPack(file: string, keys: { keyId: string; key: KeyObject }[]): number {
  const result = verifyPack(new Uint8Array(readFileSync(file)), keys);
  if (!result.ok) {
    console.error(`Evidence pack INVALID: ${result.reason}.`);
    return 1;
  }
  if (!result.checkpoint) {
    if (keys.length > 0) {
      console.error(
        'Evidence pack INVALID: it carries no signed checkpoint, so the public key proves nothing about it.',
      );
      return 1;
    }
    console.log(
      `Evidence pack consistent: ${result.events} events; ${result.segment} chain events recomputed and ` +
        `linked. It carries no signed checkpoint.`,
    );
    return 0;
  }
  console.log(
    `Evidence pack verified: ${result.events} events; ${result.segment} chain events recomputed and linked up ` +
      `to the checkpoint at seq ${result.checkpoint.seq}, ` +
      `signed ${result.checkpoint.signedAt} by key ${result.checkpoint.keyId}.`,
  );
  return 0;
}

runScript(main);
