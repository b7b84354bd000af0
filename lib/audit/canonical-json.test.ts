import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { canonicalJson, canonicalJsonText, exactNumbers, type Json } from './canonical-json';

// canonicalJsonText must give exactly canonicalJson(JSON.parse(text)) for every text JSON.parse accepts, and throw for
// every text it rejects: two stored values that read back as one canonical text would let a change pass verification.

/** What JSON.parse then canonicalJson give, or the error's kind; a number JSON.parse rounds is an error too. */
function reference(text: string): string {
  try {
    const value = JSON.parse(text) as Json;
    return exactNumbers(text) ? canonicalJson(value) : 'throws';
  } catch {
    return 'throws';
  }
}
/**
 * One memo of objects one level down for the whole file: every text is read with it too, so each one meets the
 * objects every earlier text left there (a text that starts like a kept object but is not one must still read as
 * itself).
 */
const shared = new Map<string, string>();
function read(text: string): string {
  const alone = readWith(text);
  expect(readWith(text, shared)).toBe(alone);
  return alone;
}
function readWith(text: string, memo?: Map<string, string>): string {
  try {
    return canonicalJsonText(text, memo);
  } catch (e) {
    expect(e).toBeInstanceOf(SyntaxError);
    return 'throws';
  }
}

const values = fc.oneof(fc.jsonValue({ stringUnit: 'binary' }), fc.jsonValue({ stringUnit: 'grapheme' }));

describe('canonicalJsonText', () => {
  it('writes any JSON value as canonicalJson does, however the text was spaced', () => {
    fc.assert(
      fc.property(values, fc.constantFrom(undefined, 1, 2, '\t', ' \r\n '), (value, space) => {
        const text = JSON.stringify(value, null, space);
        expect(read(text)).toBe(canonicalJson(value as Json));
        expect(read(` ${text}\n`)).toBe(canonicalJson(value as Json));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with JSON.parse on every text, valid or not', () => {
    const texts = fc.oneof(
      fc.string({ unit: 'binary-ascii' }),
      fc.string({ unit: fc.constantFrom(...'{}[]":,.-+eE0123456789 \\u"tnfalseru\t\nab'.split('')) }),
      // A valid text with one character dropped, doubled or replaced.
      fc
        .tuple(values, fc.nat(), fc.constantFrom('', '"', ',', '}', ']', '\\', ' ', '0', '\u0001', '\ud800'))
        .map(([value, at, by]) => {
          const text = JSON.stringify(value);
          const i = at % (text.length + 1);
          return text.slice(0, i) + by + text.slice(i + (by === '' ? 1 : 0));
        }),
    );
    fc.assert(
      fc.property(texts, (text) => {
        expect(read(text)).toBe(reference(text));
      }),
      { numRuns: 20000 },
    );
  });

  it('reads numbers, escapes, repeated keys and key order as JSON.parse and canonicalJson do', () => {
    const cases = [
      '1.50',
      '1e2',
      '1E+2',
      '-0',
      '0.0',
      '-12',
      '123456789012345',
      '1234567890123456',
      '12345678901234567890',
      '1e400',
      '00',
      '01',
      '-',
      '1.',
      '.5',
      '+1',
      '"\\u0041\\/\\b"',
      '"\\ud83d\\ude00"',
      '"\\ud800"',
      '"😀"',
      '"\u2028"',
      '{"b":1,"a":2,"b":3}',
      '{"a":1,"\\u0061":2}',
      '{"__proto__":{"x":1},"A":[]}',
      '{"é":1,"z":2,"Z":3,"10":4,"9":5,"":6}',
      '{"\ud83d\ude00":1,"\uffff":2}',
      '[1,]',
      '{"a":1,}',
      'tru',
      'nul',
      '[] []',
      '\ufeff1',
      '',
    ];
    for (const text of cases) expect(read(text), text).toBe(reference(text));
  });

  it('answers as JSON.parse does for nesting deeper than its own stack, and sorts many keys in one go', () => {
    for (const text of ['['.repeat(5000) + ']'.repeat(5000), '{"a":'.repeat(4000) + '1' + '}'.repeat(4000)]) {
      expect(read(text)).toBe(reference(text));
    }
    expect(read('['.repeat(50000))).toBe('throws');
    // jsonb prints keys by length first, so they can arrive in any order: here 40,000 in reverse (inserting each
    // in turn took seconds).
    const keys = Array.from({ length: 40000 }, (_, i) => `k${String(40000 - i).padStart(5, '0')}`);
    const text = `{${keys.map((k, i) => `"${k}": ${i}`).join(', ')}}`;
    const started = performance.now();
    expect(read(text)).toBe(reference(text));
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('reuses an object one level down only for the same text, and keeps only objects without a brace inside', () => {
    const memo = new Map<string, string>();
    const owners = (iam: string, pam: string) =>
      `{"IAM": {"id": "${iam}", "name": "Person ${iam}", "active": true}, "PAM": {"id": "${pam}", "active": false}}`;
    expect(canonicalJsonText(owners('u1', 'u2'), memo)).toBe(reference(owners('u1', 'u2')));
    expect([...memo.keys()]).toEqual([
      '{"id": "u1", "name": "Person u1", "active": true}',
      '{"id": "u2", "active": false}',
    ]);
    expect([...memo.values()]).toEqual(['{"active":true,"id":"u1","name":"Person u1"}', '{"active":false,"id":"u2"}']);
    // A kept entry is what a later text reads, so a wrong one would show: poison it and read the same text again.
    memo.set('{"id": "u2", "active": false}', '{"poisoned":1}');
    expect(canonicalJsonText(owners('u3', 'u2'), memo)).toContain('"PAM":{"poisoned":1}');
    memo.clear();
    canonicalJsonText(owners('u1', 'u2'), memo);
    // Texts that begin as a kept object does and go on otherwise, or end early: each reads as itself.
    for (const text of [
      '[{"id": "u2", "active": false}, 1]',
      '[{"id": "u2", "active": false}}]',
      '[{"id": "u2", "active": false}',
      '[{"id": "u2", "active": false, "x": 1}]',
      '[{"id": "u2", "active": false',
      '{"a": {"id": "u2", "active": false}]',
    ]) {
      expect(readWith(text, memo), text).toBe(reference(text));
    }
    // An object with a brace inside (nested, or in a string) is read, never kept.
    memo.clear();
    for (const text of ['[{"a": "}", "b": 1}]', '[{"a": {"b": 1}}]', '[{"a": "x\\"}"}]']) {
      expect(readWith(text, memo), text).toBe(reference(text));
      expect(readWith(text, memo), text).toBe(reference(text));
    }
    expect(memo.size).toBe(0);
  });

  it('writes what PostgreSQL prints for jsonb as canonicalJson writes the value', async () => {
    // What jsonb cannot hold is left out: \u0000 and lone surrogates.
    const storable = fc.jsonValue({ stringUnit: 'grapheme' }).filter((v) => !JSON.stringify(v).includes('\\u0000'));
    const sample = fc.sample(fc.oneof(storable, fc.jsonValue()), { numRuns: 400, seed: 24 });
    const rows = await getDb().$queryRaw<{ i: number; text: string }[]>`
      SELECT t.i::int AS "i", t.v::jsonb::text AS "text"
      FROM unnest(${sample.map((v) => JSON.stringify(v))}::text[]) WITH ORDINALITY AS t(v, i)`;
    expect(rows).toHaveLength(sample.length);
    for (const row of rows) {
      expect(read(row.text)).toBe(canonicalJson(JSON.parse(row.text) as Json));
      // jsonb keeps the value (a number in its own decimal form, read back as the same double).
      expect(canonicalJsonText(row.text)).toBe(canonicalJson(sample[row.i - 1] as Json));
    }
  });

  it('refuses a number JavaScript cannot hold exactly, as a value or a key of the memo, and keeps every other', () => {
    for (const text of ['1e400', '-1e400', '1e-400', '1.0000000000000000001', '12345678901234567', '[0.1e-330]']) {
      expect(exactNumbers(text), text).toBe(false);
      expect(read(text), text).toBe('throws');
      expect(read(`{"a":{"n":${text}}}`), text).toBe('throws');
    }
    for (const text of ['1.5', '1e21', '1000000000000000000000', '5e-324', '0.30000000000000004', '-1.25E+2', '1.50']) {
      expect(exactNumbers(text), text).toBe(true);
      expect(read(text), text).toBe(JSON.stringify(JSON.parse(text)));
    }
    // Digits inside strings are not numbers.
    expect(exactNumbers('{"a":"1e400","b":"x\\"1e400"}')).toBe(true);
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (n) => {
        expect(exactNumbers(JSON.stringify({ n }))).toBe(true);
      }),
    );
  });
});
