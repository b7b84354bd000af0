import { createHash, hash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Plain JSON, as jsonb will hand it back (no undefined, no Dates, no -0). */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

/** JSON with object keys sorted at every depth: one text per value. */
export function canonicalJson(value: Json): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  // Loops rather than map/join: the verifier runs this for every event.
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]!);
    return out + ']';
  }
  const keys = Object.keys(value).sort();
  out = '{';
  for (let i = 0; i < keys.length; i++)
    out += (i ? ',' : '') + JSON.stringify(keys[i]) + ':' + canonicalJson(value[keys[i]!]!);
  return out + '}';
}

/** The stored columns that the hash covers. */
export type HashedEvent = {
  seq: bigint;
  occurredAt: Date;
  recordedAt: Date;
  actorType: string;
  actorId: string | null;
  agentId: string | null;
  credentialId: string | null;
  action: string;
  details: unknown;
  owners: unknown;
  /** 1: the hash covers the details; 2: the salted digest of each field of them (`digests`), so one can be redacted. */
  format: number;
  digests: unknown;
};

export function canonicalEvent(event: HashedEvent): string {
  const common = {
    seq: event.seq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId,
    agentId: event.agentId,
    credentialId: event.credentialId,
    action: event.action,
    owners: toJson(event.owners),
  };
  return canonicalJson(
    event.format === 1
      ? { ...common, details: toJson(event.details) }
      : { ...common, format: event.format, digests: toJson(event.digests) },
  );
}

/** hash = sha256(prevHash ‖ canonical event), hex. */
export function hashEvent(prevHash: string, event: HashedEvent): string {
  return createHash('sha256').update(prevHash).update(canonicalEvent(event)).digest('hex');
}

/** The hashed columns as text, as a streaming reader has them (times ISO 8601, JSON as JSON text). */
export type HashedEventText = {
  [K in Exclude<keyof HashedEvent, 'details' | 'owners' | 'digests' | 'format'>]: string | null;
} & {
  details: string;
  owners: string | null;
  format: string;
  digests: string | null;
};

// An agent's owners snapshot repeats on each of its events: its canonical text is kept (bounded).
const canonicalOwners = new Map<string, string>();
function ownersText(owners: string): string {
  let text = canonicalOwners.get(owners);
  if (text === undefined) {
    if (canonicalOwners.size >= 100_000) canonicalOwners.clear();
    text = canonicalJson(JSON.parse(owners) as Json);
    // Copies: the text read is a slice, and what is derived from it may share it, keeping a whole read buffer alive.
    canonicalOwners.set(Buffer.from(owners).toString(), Buffer.from(text).toString());
  }
  return text;
}

/**
 * hashEvent for an event read as text, without building Dates: the same canonical form, its keys written in sorted
 * order.
 */
export function hashEventText(prevHash: string, e: HashedEventText): string {
  const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
  const v1 = e.format === '1';
  const canonical =
    `{"action":${str(e.action)},"actorId":${str(e.actorId)},"actorType":${str(e.actorType)}` +
    `,"agentId":${str(e.agentId)},"credentialId":${str(e.credentialId)}` +
    (v1
      ? `,"details":${canonicalJson(JSON.parse(e.details) as Json)}`
      : `,"digests":${e.digests === null ? 'null' : canonicalJson(JSON.parse(e.digests) as Json)}` +
        `,"format":${Number(e.format)}`) +
    `,"occurredAt":${str(e.occurredAt)}` +
    `,"owners":${e.owners === null ? 'null' : ownersText(e.owners)}` +
    `,"recordedAt":${str(e.recordedAt)},"seq":${str(e.seq)}}`;
  return hash('sha256', prevHash + canonical);
}
