// `npm run audit:verify [-- --public-key <file> ... --witness <file>]`: walks the custody timeline, recomputes every
// hash and, with public keys, checks every head signature and numbered checkpoint (none missing, forged or beyond the
// head); with the witness file (without one: the witnesses the server is configured with, AUDIT_WITNESS_FILE and
// AUDIT_WITNESS_URL), that the chain still extends every checkpoint it holds (which catches a database rolled back to
// an older signed state; a configured witness that cannot be read exits 1). Exits 1 naming the first broken seq and
// what is wrong. `--workers N` walks disjoint ranges in N threads (default: every core). Then it compares every role,
// API token, setting and exception in force with the events that made it, and exits 1 naming any row changed outside
// Custodian.
// `npm run audit:verify -- --pack <zip> --public-key <file>` checks an evidence pack offline, with no database.
// `npm run audit:verify -- --report <summary.json> [--oscal <file>] --public-key <file>` checks a framework report's
// signed summary offline, and that the OSCAL file is the one it names (`--unsigned-ok` instead of a key: form only).
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { registryDrift } from '@/lib/audit/drift';
import { verifyPack, type PackRedaction } from '@/lib/audit/pack-format';
import { keyIdOf, publicKeyFromPem } from '@/lib/audit/signing';
import { verifyAuditChainParallel } from '@/lib/audit/verify-parallel';
import { parseWitness, readWitness, type WitnessedCheckpoint } from '@/lib/audit/witness';
import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { verifySummary } from '@/lib/policy/summary-format';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'public-key': { type: 'string', multiple: true },
      pack: { type: 'string' },
      report: { type: 'string' },
      oscal: { type: 'string' },
      'unsigned-ok': { type: 'boolean' },
      witness: { type: 'string' },
      workers: { type: 'string' },
    },
  });
  const keys = (values['public-key'] ?? []).map((file) => {
    let key;
    try {
      key = publicKeyFromPem(readFileSync(file, 'utf8'));
    } catch {
      throw new Error(`${file} is not an Ed25519 public key in PEM (openssl pkey -in <private key> -pubout).`);
    }
    return { keyId: keyIdOf(key), key };
  });
  if (values.pack) return checkPack(values.pack, keys);
  if (values.report) {
    // A summary's worth is its signature: checking only its form takes asking for it.
    if (keys.length === 0 && !values['unsigned-ok']) {
      console.error(
        "Give --public-key <pem> to check the summary's signature (or --unsigned-ok to check its form only).",
      );
      return 2;
    }
    return checkReport(values.report, keys, values.oscal);
  }
  if (values.oscal) throw new Error('--oscal goes with --report <summary.json>: the summary names the OSCAL file.');
  // A witness line counts only where its signature holds: without a key, none would be checked.
  if (values.witness && keys.length === 0) {
    console.error('--witness needs --public-key <pem>: the witness is checked only through its signatures.');
    return 2;
  }
  // Without --witness, the witnesses this server is configured with (AUDIT_WITNESS_FILE, AUDIT_WITNESS_URL), read as
  // the scheduled run reads them; only with a key, as their lines are checked through their signatures.
  let witness: WitnessedCheckpoint[] = [];
  let unwitnessed: string | null = null;
  if (values.witness) witness = parseWitness(readFileSync(values.witness, 'utf8'));
  else if (keys.length > 0) ({ checkpoints: witness, problem: unwitnessed } = await readWitness(getDb()));
  const started = performance.now();
  // Every core by default: worker threads walk disjoint ranges, stitched by their links.
  const workers = values.workers ? Number(values.workers) : availableParallelism();
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    console.error(`--workers is a whole number from 1 to 64, not "${values.workers}".`);
    return 2;
  }
  const result = await verifyAuditChainParallel(getDb(), { keys, witness, workers });
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (!result.ok) {
    console.error(`Audit chain BROKEN at seq ${result.brokenSeq}: ${result.reason}.`);
    console.error(`Events up to seq ${result.verifiedThroughSeq} verify.`);
    return 1;
  }
  const rate = Math.round(result.eventCount / Math.max(0.001, Number(seconds)));
  console.log(
    `Audit chain verified: ${result.eventCount} events, seq 1 to ${result.verifiedThroughSeq}, head hash ` +
      `${result.headHash} (${seconds} s, ${rate.toLocaleString('en')} events/s).`,
  );
  for (const a of result.archived) {
    console.log(`Archived: events ${a.fromSeq} to ${a.toSeq}, vouched for by a signed manifest (not read here).`);
  }
  if (keys.length === 0) console.log('No --public-key given: only the hashes were checked, no signature.');
  else {
    console.log(
      `Signatures: ${result.signaturesVerified} head signatures and ${result.checkpointsVerified} checkpoints hold; ` +
        `the head is ${result.signed ? 'signed' : 'NOT signed by a given key'}.`,
    );
  }
  if (witness.length > 0) console.log(`Witness: ${witness.length} checkpoints, every one extended by the chain.`);
  if (unwitnessed) console.error(`Witness NOT CHECKED: ${unwitnessed}.`);
  // The chain holds; the rows the controls read are checked against it too.
  const drift = await registryDrift(getDb());
  if (drift.length === 0) {
    console.log(
      'Registry: every role, API token, setting, exception in force, credential, agent and purpose matches the ' +
        'events that made it.',
    );
    return unwitnessed ? 1 : 0;
  }
  console.error(`Registry CHANGED OUTSIDE CUSTODIAN: ${drift.length} row(s) no event explains.`);
  for (const d of drift) console.error(`  ${d.kind} ${JSON.stringify(d.subject)}: ${d.problem}`);
  console.error(
    'Put each row back through Custodian. Rows no event mentions (made by hand, by an older release): check them, ' +
      'then npm run audit:baseline records them as they stand (--dry-run lists them first).',
  );
  return 1;
}

/** Redacted fields: the value is gone, its salted digest still verifies, the redaction is listed. */
function printRedactions(redactions: PackRedaction[]) {
  if (redactions.length === 0) return;
  console.log(
    `Redacted: ${redactions.length} field(s), each shown as {"$redacted": id}; the chain verifies over their ` +
      'salted digests, so the pack proves a value was there and was removed by an approved request, not what it was.',
  );
  for (const r of redactions) {
    console.log(`  event ${r.seq}, field ${r.pointer}: ${r.id} (request ${r.changeRequestId}, ${r.redactedAt})`);
  }
}

function checkReport(file: string, keys: { keyId: string; key: KeyObject }[], oscal?: string): number {
  const result = verifySummary(
    readFileSync(file, 'utf8'),
    keys,
    oscal ? new Uint8Array(readFileSync(oscal)) : undefined,
  );
  if (!result.ok) {
    console.error(`Report summary INVALID: ${result.reason}.`);
    return 1;
  }
  const { summary } = result;
  const states = { assessed: 0, evidenced: 0, outside: 0 };
  for (const c of summary.controls) states[c.state] += 1;
  console.log(
    `Report summary: ${summary.framework.name} as of ${summary.at}, chain head ` +
      `${summary.chainHead ? `seq ${summary.chainHead.seq} hash ${summary.chainHead.hash}` : 'none'}; ` +
      `${summary.controls.length} controls (${states.assessed} assessed, ${states.evidenced} evidenced, ` +
      `${states.outside} outside Custodian).`,
  );
  console.log(
    result.signed
      ? 'Signature: holds for the key given.'
      : 'Unsigned check (--unsigned-ok): the signature was not checked, only the form.',
  );
  if (result.oscalMatches) console.log(`OSCAL: ${oscal} is the document the summary names (SHA-256 matches).`);
  if (summary.chainHead) {
    console.log(
      `To tie it to the timeline, check that event ${summary.chainHead.seq} has hash ${summary.chainHead.hash} ` +
        '(an evidence pack, or this command against the database, verifies the chain through it).',
    );
  }
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
    printRedactions(result.redactions);
    return 0;
  }
  console.log(
    `Evidence pack verified: ${result.events} events; ${result.segment} chain events recomputed and linked up ` +
      `to the checkpoint at seq ${result.checkpoint.seq}, ` +
      `signed ${result.checkpoint.signedAt} by key ${result.checkpoint.keyId}.`,
  );
  const signedBy = result.signedBy ? ` (manifest signed by key ${result.signedBy})` : '';
  console.log(
    'It proves: each event is the one in the chain, unchanged, up to that signed checkpoint; and the pack holds ' +
      `exactly the events its manifest lists${signedBy}, none removed, added or altered.`,
  );
  console.log(
    'It does not prove: that the filter selected every matching event (that is the server’s signed word, not ' +
      'recomputed here), nor anything after the checkpoint.',
  );
  printRedactions(result.redactions);
  return 0;
}

runScript(main);
