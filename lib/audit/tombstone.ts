// What a redacted value is replaced by: {"$redacted": <redaction id>}, the id the `audit.redacted` event names too.
// No imports: the timeline's client components read it.

export type Tombstone = { $redacted: string };

export function isTombstone(value: unknown): value is Tombstone {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] === '$redacted' && typeof (value as Tombstone).$redacted === 'string';
}
