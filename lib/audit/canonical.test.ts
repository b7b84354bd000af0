import { describe, expect, it } from 'vitest';
import { canonicalJson, hashEvent, toJson, type HashedEvent } from './canonical';

const event: HashedEvent = {
  seq: 7n,
  occurredAt: new Date('2026-11-22T10:00:00.123Z'),
  recordedAt: new Date('2026-11-22T10:00:01.456Z'),
  actorType: 'USER',
  actorId: 'u1',
  agentId: 'a1',
  credentialId: null,
  action: 'credential.revoked',
  details: { reason: 'leaked', name: 'ci-token' },
  owners: null,
  format: 1,
  digests: null,
};

describe('canonical event form', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,1]},"b":1}');
  });

  it('drops what jsonb cannot store, as it will be read back', () => {
    expect(toJson({ a: undefined, b: new Date('2026-01-01T00:00:00Z'), c: -0 })).toEqual({
      b: '2026-01-01T00:00:00.000Z',
      c: 0,
    });
  });

  it('hashes the same event identically whatever the key order of its details', () => {
    const reordered = { ...event, details: { name: 'ci-token', reason: 'leaked' } };
    expect(hashEvent('0'.repeat(64), reordered)).toBe(hashEvent('0'.repeat(64), event));
  });

  it('changes the hash when any hashed field or the previous hash changes', () => {
    const base = hashEvent('0'.repeat(64), event);
    expect(hashEvent('1'.repeat(64), event)).not.toBe(base);
    expect(hashEvent('0'.repeat(64), { ...event, seq: 8n })).not.toBe(base);
    expect(hashEvent('0'.repeat(64), { ...event, occurredAt: new Date(event.occurredAt.getTime() + 1) })).not.toBe(
      base,
    );
    expect(hashEvent('0'.repeat(64), { ...event, actorId: 'u2' })).not.toBe(base);
    expect(hashEvent('0'.repeat(64), { ...event, details: { reason: 'rotated', name: 'ci-token' } })).not.toBe(base);
    expect(hashEvent('0'.repeat(64), { ...event, owners: { accountable: null } })).not.toBe(base);
  });
});
