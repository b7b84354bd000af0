import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalJson,
  hashEvent,
  hashEventText,
  jsonString,
  OwnersMemo,
  toJson,
  type HashedEvent,
  type Json,
} from './canonical';

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

  it('hashes an event read as text exactly as the event it was written from, whatever its strings hold', () => {
    // Strings with quotes, backslashes, control characters, lone and paired surrogates: the reader quotes plain ones
    // itself and must write every other as JSON.stringify does.
    const text = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.string({ unit: fc.constantFrom('"', '\\', '\n', 'a', '\ud800', '😀') }),
    );
    const memo = new OwnersMemo();
    fc.assert(
      fc.property(
        fc.record({
          action: text,
          actorId: fc.option(text),
          agentId: fc.option(text),
          credentialId: fc.option(text),
          details: fc.jsonValue(),
          owners: fc.option(fc.dictionary(text, fc.record({ id: text, name: text }))),
          format: fc.constantFrom(1, 2),
        }),
        (e) => {
          const typed: HashedEvent = {
            ...event,
            ...e,
            details: toJson(e.details),
            digests: e.format === 2 ? { '/x': jsonString(e.action) } : null,
          };
          const asText = {
            seq: typed.seq.toString(),
            occurredAt: typed.occurredAt.toISOString(),
            recordedAt: typed.recordedAt.toISOString(),
            actorType: typed.actorType,
            actorId: typed.actorId,
            agentId: typed.agentId,
            credentialId: typed.credentialId,
            action: typed.action,
            details: JSON.stringify(typed.details),
            owners: typed.owners === null ? null : JSON.stringify(typed.owners),
            format: String(typed.format),
            digests: typed.digests === null ? null : JSON.stringify(typed.digests),
          };
          const expected = hashEvent('0'.repeat(64), typed);
          expect(hashEventText('0'.repeat(64), asText)).toBe(expected);
          expect(hashEventText('0'.repeat(64), asText, memo)).toBe(expected);
          if (typed.digests !== null) {
            expect(hashEventText('0'.repeat(64), asText, memo, typed.digests as Json)).toBe(expected);
          }
        },
      ),
      { numRuns: 3000 },
    );
    expect(jsonString('plain')).toBe('"plain"');
    expect(jsonString(null)).toBe('null');
  });
});
