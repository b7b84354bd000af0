import { createHash, hash } from 'node:crypto';
import { canonicalJson, canonicalJsonText, exactNumbers, type Json } from './canonical-json';

export { canonicalJson, canonicalJsonText, exactNumbers, type Json };

export const GENESIS_HASH = '0'.repeat(64);

/** Plain JSON, as jsonb will hand it back (no undefined, no Dates, no -0). */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
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

/** The owner entries a walk has canonicalised, by their text (see `canonicalJsonText`'s `objects`). */
export class OwnersMemo {
  private readonly objects = new Map<string, string>();
  canonical(owners: string): string {
    return canonicalJsonText(owners, this.objects);
  }
}

/**
 * A nullable string column as JSON. Most are ids, times and names with nothing to escape, and quoting those directly
 * is several times cheaper than JSON.stringify, which writes every other one (a quote, a backslash, a control
 * character or a lone surrogate).
 */
export function jsonString(v: string | null): string {
  if (v === null) return 'null';
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(v);
  }
  return `"${v}"`;
}

/** What hashEventText gives for a text it cannot read exactly: no hex digest is equal to it. */
const UNREADABLE = 'unreadable';

/**
 * hashEvent for an event read as text, without building Dates: the same canonical form, its keys written in sorted
 * order. The text is joined from its pieces in one go: node:crypto reads a flat string several times faster than the
 * rope that concatenating ~25 pieces leaves, and hashing was a third of a verifier's walk.
 */
export function hashEventText(
  prevHash: string,
  e: HashedEventText,
  owners?: OwnersMemo,
  /** Format 2's digests, when the caller has already parsed them. */
  digests?: Json,
): string {
  const v1 = e.format === '1';
  // Format 1 hashes the details, any other format the digests (the caller's parse of them when it has one). A text
  // that cannot be read as it was hashed (a number JavaScript rounds) has no hash: it matches none.
  let body: string;
  let ownersText: string;
  try {
    body = v1
      ? canonicalJsonText(e.details)
      : digests !== undefined
        ? canonicalJson(digests)
        : e.digests === null
          ? 'null'
          : canonicalJsonText(e.digests);
    ownersText = e.owners === null ? 'null' : owners ? owners.canonical(e.owners) : canonicalJsonText(e.owners);
  } catch (error) {
    if (error instanceof SyntaxError) return UNREADABLE;
    throw error;
  }
  return hash(
    'sha256',
    [
      prevHash,
      '{"action":',
      jsonString(e.action),
      ',"actorId":',
      jsonString(e.actorId),
      ',"actorType":',
      jsonString(e.actorType),
      ',"agentId":',
      jsonString(e.agentId),
      ',"credentialId":',
      jsonString(e.credentialId),
      v1 ? ',"details":' : ',"digests":',
      body,
      v1 ? '' : `,"format":${Number(e.format)}`,
      ',"occurredAt":',
      jsonString(e.occurredAt),
      ',"owners":',
      ownersText,
      ',"recordedAt":',
      jsonString(e.recordedAt),
      ',"seq":',
      jsonString(e.seq),
      '}',
    ].join(''),
  );
}
