import { createHash, hash } from 'node:crypto';
import { canonicalJson, canonicalJsonText, type Json } from './canonical-json';

export { canonicalJson, canonicalJsonText, type Json };

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

/**
 * The owners snapshots a walk has canonicalised: an agent's repeats on each of its events, and looking its text up
 * costs a third of writing it again. Bounded; the keys are copies, so a kept entry does not hold a read buffer alive.
 */
export class OwnersMemo {
  private readonly texts = new Map<string, string>();
  constructor(private readonly limit = 200_000) {}
  canonical(owners: string): string {
    let text = this.texts.get(owners);
    if (text === undefined) {
      text = canonicalJsonText(owners);
      if (this.texts.size >= this.limit) this.texts.clear();
      this.texts.set(Buffer.from(owners).toString(), Buffer.from(text).toString());
    }
    return text;
  }
}

/**
 * hashEvent for an event read as text, without building Dates: the same canonical form, its keys written in sorted
 * order.
 */
export function hashEventText(prevHash: string, e: HashedEventText, owners?: OwnersMemo): string {
  const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));
  const v1 = e.format === '1';
  const canonical =
    `{"action":${str(e.action)},"actorId":${str(e.actorId)},"actorType":${str(e.actorType)}` +
    `,"agentId":${str(e.agentId)},"credentialId":${str(e.credentialId)}` +
    (v1
      ? `,"details":${canonicalJsonText(e.details)}`
      : `,"digests":${e.digests === null ? 'null' : canonicalJsonText(e.digests)}` + `,"format":${Number(e.format)}`) +
    `,"occurredAt":${str(e.occurredAt)}` +
    `,"owners":${e.owners === null ? 'null' : owners ? owners.canonical(e.owners) : canonicalJsonText(e.owners)}` +
    `,"recordedAt":${str(e.recordedAt)},"seq":${str(e.seq)}}`;
  return hash('sha256', prevHash + canonical);
}
