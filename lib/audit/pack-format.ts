// The evidence pack: one zip an auditor can take away and check offline with
// no database. Shared by the builder (server) and the verifier (CLI), so it
// imports nothing server-only.
import { createHash, type KeyObject } from 'node:crypto';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { canonicalJson, exactNumbers, hashEvent, toJson, type HashedEvent } from './canonical';
import { checkFields } from './fields';
import { checkpointStatement, signatureHolds, signStatement, type SigningKey } from './signing';

export const PACK_FORMAT = 'custodian-evidence-pack/2';

/** An event as stored, in JSON: every column its hash covers (dates as ISO strings), plus the hashes. */
export type PackedEvent = Omit<HashedEvent, 'seq' | 'occurredAt' | 'recordedAt'> & {
  seq: string;
  occurredAt: string;
  recordedAt: string;
  prevHash: string;
  hash: string;
  /** Format 2: the salt of each field still shown (a redacted field has none). */
  salts: unknown;
};

/** A field of a packed event whose value was redacted, and the redaction that did it. */
export type PackRedaction = {
  id: string;
  seq: string;
  pointer: string;
  changeRequestId: string;
  redactedAt: string;
  /** The `audit.redacted` event that records it, to find on the timeline. */
  recordedAt: { seq: string; hash: string };
};

export type PackManifest = {
  format: typeof PACK_FORMAT;
  generatedAt: string;
  generatedBy: string;
  filter: Record<string, unknown>;
  counts: { events: number; segment: number };
  firstSeq: string | null;
  lastSeq: string | null;
  /** Every event from the first matching one to the checkpoint: what the chain is rechecked over. */
  segment: { fromSeq: string; toSeq: string; startPrevHash: string } | null;
  chainHead: { seq: string; hash: string };
  checkpoint: {
    number: string;
    format: number;
    seq: string;
    hash: string;
    signedAt: string;
    keyId: string;
    signature: string;
  } | null;
  /** Every event of the pack, in order: a pack with one removed, added or changed no longer matches its signature. */
  events: { seq: string; hash: string }[];
  /** Every redacted field among the packed events, from the record of redactions. */
  redactions: PackRedaction[];
  files: Record<string, string>;
  /** The audit key's signature over the manifest's digest (every field above); null when no key is configured. */
  signature: { keyId: string; signature: string } | null;
};

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const ndjson = (events: PackedEvent[]) => events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');

/** The digest the manifest's signature covers: its canonical JSON without the signature. */
export function manifestDigest(manifest: Omit<PackManifest, 'signature'>): string {
  return createHash('sha256')
    .update(canonicalJson(toJson(manifest)))
    .digest('hex');
}

export function buildPackZip(
  manifest: Omit<PackManifest, 'files' | 'events' | 'signature'>,
  events: PackedEvent[],
  segment: PackedEvent[],
  summary: string,
  key: SigningKey | null,
): Uint8Array {
  const files: Record<string, Uint8Array> = {
    'events.ndjson': strToU8(ndjson(events)),
    'segment.ndjson': strToU8(ndjson(segment)),
    'summary.md': strToU8(summary),
  };
  const unsigned = {
    ...manifest,
    events: events.map((e) => ({ seq: e.seq, hash: e.hash })),
    files: Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, sha256(bytes)])),
  };
  const digest = manifestDigest(unsigned);
  const full: PackManifest = {
    ...unsigned,
    signature: key ? { keyId: key.keyId, signature: signStatement(key, { kind: 'pack', digest }) } : null,
  };
  return zipSync({ ...files, 'manifest.json': strToU8(JSON.stringify(full, null, 2)) });
}

export type PackVerification =
  | {
      ok: true;
      events: number;
      segment: number;
      checkpoint: PackManifest['checkpoint'];
      signedBy: string | null;
      redactions: PackRedaction[];
    }
  | { ok: false; reason: string };

// Packs made before chain format 2 carry no format on their events: they are format 1.
const parseLines = (text: string): PackedEvent[] =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as PackedEvent)
    .map((e) => ({ ...e, format: e.format ?? 1 }));
const recompute = (prevHash: string, e: PackedEvent) =>
  hashEvent(prevHash, {
    ...e,
    seq: BigInt(e.seq),
    occurredAt: new Date(e.occurredAt),
    recordedAt: new Date(e.recordedAt),
  });

/**
 * Checks a pack offline: file digests; every segment event's hash recomputed
 * from its contents and linked to the one before; the segment ending at the
 * signed checkpoint, whose signature holds for one of the public keys; and
 * each event of the pack present, unchanged, in the segment.
 */
export function verifyPack(zip: Uint8Array, publicKeys: { keyId: string; key: KeyObject }[]): PackVerification {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    return { ok: false, reason: 'not a zip archive' };
  }
  if (!files['manifest.json']) return { ok: false, reason: 'manifest.json is missing' };
  const manifest = JSON.parse(strFromU8(files['manifest.json'])) as PackManifest;
  if (manifest.format !== PACK_FORMAT) return { ok: false, reason: `unknown pack format ${String(manifest.format)}` };
  // The signature first: it covers the list of events, so none can be removed, added or changed unseen.
  const { signature, ...unsigned } = manifest;
  if (publicKeys.length > 0) {
    if (!signature) return { ok: false, reason: 'the manifest is not signed, so it proves nothing about its events' };
    const key = publicKeys.find((k) => k.keyId === signature.keyId);
    if (!key) return { ok: false, reason: `the manifest was signed by key ${signature.keyId}: pass its public key` };
    if (!signatureHolds(key.key, { kind: 'pack', digest: manifestDigest(unsigned) }, signature.signature)) {
      return { ok: false, reason: 'the manifest signature does not hold: the pack was changed after it was made' };
    }
  }
  for (const [name, digest] of Object.entries(manifest.files)) {
    if (!files[name]) return { ok: false, reason: `${name} is missing` };
    if (sha256(files[name]) !== digest)
      return { ok: false, reason: `${name} does not match its digest in the manifest` };
  }
  const texts = [strFromU8(files['events.ndjson']!), strFromU8(files['segment.ndjson']!)];
  // What is hashed is what JSON.parse reads: a number it would round (1e400 for null) is refused, not read.
  if (!texts.every(exactNumbers)) return { ok: false, reason: 'an event holds a number that cannot be read exactly' };
  const [events, segment] = texts.map(parseLines) as [PackedEvent[], PackedEvent[]];
  if (events.length !== manifest.counts.events || segment.length !== manifest.counts.segment)
    return { ok: false, reason: 'the counts do not match the manifest' };
  const listed = manifest.events ?? [];
  for (let i = 0; i < Math.max(listed.length, events.length); i++) {
    const want = listed[i];
    const have = events[i];
    if (!want) return { ok: false, reason: `event ${have!.seq} is in the pack but not in its manifest (added)` };
    if (!have || have.seq !== want.seq)
      return { ok: false, reason: `event ${want.seq} of the manifest is missing (removed)` };
    if (have.hash !== want.hash) return { ok: false, reason: `event ${want.seq} differs from its manifest entry` };
  }
  if (segment.length > 0) {
    if (!manifest.segment) return { ok: false, reason: 'the manifest does not describe the segment' };
    let prev = manifest.segment.startPrevHash;
    let expected = BigInt(manifest.segment.fromSeq);
    let format2 = false;
    for (const e of segment) {
      if (e.format !== 1 && e.format !== 2) return { ok: false, reason: `event ${e.seq} claims an unknown format` };
      if (e.format === 1 && format2) return { ok: false, reason: `event ${e.seq} is in format 1 after format 2` };
      format2 ||= e.format === 2;
      if (BigInt(e.seq) !== expected)
        return { ok: false, reason: `the segment skips from ${expected - 1n} to ${e.seq}` };
      if (e.prevHash !== prev) return { ok: false, reason: `event ${e.seq} does not follow event ${expected - 1n}` };
      if (recompute(prev, e) !== e.hash)
        return { ok: false, reason: `event ${e.seq} was altered (its hash does not match its contents)` };
      if (e.format === 2) {
        const check = checkFields(toJson(e.details), toJson(e.digests), toJson(e.salts));
        if (!check.ok) return { ok: false, reason: `event ${e.seq} was altered: ${check.reason}` };
        for (const r of check.redacted) {
          const listed = (manifest.redactions ?? []).find(
            (x) => x.seq === e.seq && x.pointer === r.pointer && x.id === r.redactionId,
          );
          if (!listed) {
            return {
              ok: false,
              reason: `field ${r.pointer} of event ${e.seq} is redacted, but the manifest lists no such redaction`,
            };
          }
        }
      }
      prev = e.hash;
      expected += 1n;
    }
    if (manifest.checkpoint) {
      const cp = manifest.checkpoint;
      const key = publicKeys.find((k) => k.keyId === cp.keyId);
      if (!key) return { ok: false, reason: `the checkpoint was signed by key ${cp.keyId}: pass its public key` };
      if (
        !signatureHolds(
          key.key,
          checkpointStatement({
            ...cp,
            number: BigInt(cp.number),
            seq: BigInt(cp.seq),
            signedAt: new Date(cp.signedAt),
          }),
          cp.signature,
        )
      ) {
        return { ok: false, reason: 'the checkpoint signature does not hold' };
      }
      const last = segment[segment.length - 1]!;
      if (last.seq !== cp.seq || last.hash !== cp.hash)
        return { ok: false, reason: `the segment does not end at the signed checkpoint (seq ${cp.seq})` };
    }
  }
  const bySeq = new Map(segment.map((e) => [e.seq, e]));
  for (const e of events) {
    const inChain = bySeq.get(e.seq);
    if (!inChain || JSON.stringify(inChain) !== JSON.stringify(e))
      return { ok: false, reason: `event ${e.seq} of the pack is not the one in the chain` };
  }
  return {
    ok: true,
    events: events.length,
    segment: segment.length,
    checkpoint: manifest.checkpoint,
    signedBy: publicKeys.length > 0 && signature ? signature.keyId : null,
    redactions: manifest.redactions ?? [],
  };
}
