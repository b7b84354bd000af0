import { createHash } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Plain JSON, as jsonb will hand it back (no undefined, no Dates, no -0). */
export function toJson(value: unknown): Json {
  return JSON.parse(JSON.stringify(value ?? null)) as Json;
}

/** JSON with object keys sorted at every depth: one text per value. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
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
};

export function canonicalEvent(event: HashedEvent): string {
  return canonicalJson({
    seq: event.seq.toString(),
    occurredAt: event.occurredAt.toISOString(),
    recordedAt: event.recordedAt.toISOString(),
    actorType: event.actorType,
    actorId: event.actorId,
    agentId: event.agentId,
    credentialId: event.credentialId,
    action: event.action,
    details: toJson(event.details),
    owners: toJson(event.owners),
  });
}

/** hash = sha256(prevHash ‖ canonical event), hex. */
export function hashEvent(prevHash: string, event: HashedEvent): string {
  return createHash('sha256').update(prevHash).update(canonicalEvent(event)).digest('hex');
}
