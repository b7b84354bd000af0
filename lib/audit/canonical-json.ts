// Canonical JSON: object keys sorted at every depth, no space, so a value has one text (what the chain hashes).
// `canonicalJsonText(t)` is `canonicalJson(JSON.parse(t))` written as the text is read, without building the value:
// a verifier canonicalises two JSON columns of every event it reads (details or digests, and owners), and building
// each value only to write it out again was most of its time and most of its garbage. What PostgreSQL prints for
// jsonb already escapes strings as JSON.stringify does, so a string without a backslash, a surrogate or a control
// character is copied as it is read; anything else (an escape, a number that is not a short integer, a repeated key)
// takes JSON.parse and JSON.stringify's own answer. A number JavaScript cannot hold exactly (1e400,
// 1.0000000000000000001) is refused, not rounded: see `exactNumbers`. Shared by the server and the offline pack
// verifier: no server imports.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

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

// The reader's state: one text at a time (nothing here awaits).
let src = '';
let at = 0;
/** How many objects and arrays the reader is inside. */
let depth = 0;
/** The call's memo of objects one level down (see `canonicalJsonText`), or null. */
let memo: Map<string, string> | null = null;
const MEMO_LIMIT = 20_000;
/** The key just read, decoded: what objects sort by. */
let keyRead = '';

const fail = (): never => {
  throw new SyntaxError(`Unexpected token in JSON at position ${at}`);
};

function skipSpace(): void {
  for (;;) {
    const c = src.charCodeAt(at);
    if (c === 32 || c === 10 || c === 13 || c === 9) at++;
    else return;
  }
}

/** A string token at `at`, as JSON.stringify writes its value; for a key, `keyRead` is the value itself. */
function string(key: boolean): string {
  const start = at;
  let plain = true;
  for (at++; ; at++) {
    const c = src.charCodeAt(at);
    if (c === 34) break;
    if (c === 92) {
      plain = false;
      at++;
    } else if (c < 32 || Number.isNaN(c)) fail();
    else if (c >= 0xd800 && c <= 0xdfff) plain = false;
  }
  at++;
  const token = src.slice(start, at);
  if (plain) {
    if (key) keyRead = token.slice(1, -1);
    return token;
  }
  const decoded = JSON.parse(token) as string;
  keyRead = decoded;
  return JSON.stringify(decoded);
}

function number(): string {
  const start = at;
  let integer = true;
  for (;;) {
    const c = src.charCodeAt(at);
    if (c >= 48 && c <= 57) at++;
    else if (c === 45 || c === 43 || c === 46 || c === 101 || c === 69) {
      integer = false;
      at++;
    } else break;
  }
  const token = src.slice(start, at);
  if (token.length === 0) fail();
  // A short integer without a leading zero is its own canonical text; any other number is read and written by JS.
  if (integer && token.length < 16 && (token.charCodeAt(0) !== 48 || token.length === 1)) return token;
  const read = JSON.parse(token) as number;
  if (!exactly(token, read)) throw new SyntaxError(`${token} is not a number JavaScript holds exactly`);
  return JSON.stringify(read);
}

function word(text: string): string {
  if (!src.startsWith(text, at)) fail();
  at += text.length;
  return text;
}

/** Steps into an array or object; whether it closes at once (with `close`). */
function opensEmpty(close: number): boolean {
  at++;
  skipSpace();
  if (src.charCodeAt(at) !== close) return false;
  at++;
  return true;
}

function array(): string {
  if (opensEmpty(93)) return '[]';
  depth++;
  let out = '[';
  for (;;) {
    out += value();
    skipSpace();
    const c = src.charCodeAt(at++);
    if (c === 93) {
      depth--;
      return out + ']';
    }
    if (c !== 44) fail();
    out += ',';
  }
}

function object(): string {
  if (opensEmpty(125)) return '{}';
  depth++;
  const keys: string[] = [];
  const members: string[] = [];
  for (;;) {
    skipSpace();
    if (src.charCodeAt(at) !== 34) fail();
    const key = string(true);
    const decoded = keyRead;
    skipSpace();
    if (src.charCodeAt(at++) !== 58) fail();
    keys.push(decoded);
    members.push(key + ':' + value());
    skipSpace();
    const c = src.charCodeAt(at++);
    if (c === 125) break;
    if (c !== 44) fail();
  }
  depth--;
  sortMembers(keys, members);
  let out = '{' + members[0]!;
  for (let i = 1; i < members.length; i++) out += ',' + members[i]!;
  return out + '}';
}

/**
 * The members in the order Array.prototype.sort gives their keys (UTF-16 code units): by insertion while few, as
 * objects are, and by one sort when many (jsonb's own key order, by length first, would make insertion quadratic).
 */
function sortMembers(keys: string[], members: string[]): void {
  if (keys.length <= 16) {
    for (let j = 1; j < keys.length; j++) {
      const key = keys[j]!;
      const member = members[j]!;
      let i = j;
      for (; i > 0 && keys[i - 1]! > key; i--) {
        keys[i] = keys[i - 1]!;
        members[i] = members[i - 1]!;
      }
      keys[i] = key;
      members[i] = member;
    }
  } else {
    const order = keys.map((_, i) => i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : keys[a]! > keys[b]! ? 1 : 0));
    const sortedMembers = order.map((i) => members[i]!);
    const sortedKeys = order.map((i) => keys[i]!);
    for (let i = 0; i < order.length; i++) {
      keys[i] = sortedKeys[i]!;
      members[i] = sortedMembers[i]!;
    }
  }
  // A repeated key: JSON.parse keeps the last; the caller starts again the slow way.
  for (let i = 1; i < keys.length; i++) if (keys[i - 1] === keys[i]) throw repeatedKey;
}

/** A copy of a text that shares nothing with it: a kept slice would hold the whole text it was cut from alive. */
const own = (text: string): string => JSON.parse(JSON.stringify(text)) as string;

/**
 * An object one level down, from the memo when its text was seen before. Only objects without a "}" inside (no nested
 * object, no brace in a string; an owner entry is one) are kept, so the text up to the next "}" is the whole object.
 */
function memoObject(memo: Map<string, string>): string {
  const start = at;
  const end = src.indexOf('}', start) + 1;
  const text = src.slice(start, end);
  const known = memo.get(text);
  if (known !== undefined) {
    at = end;
    return known;
  }
  const out = object();
  if (at === end) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(own(text), own(out));
  }
  return out;
}

function value(): string {
  skipSpace();
  const c = src.charCodeAt(at);
  if (c === 123) return memo !== null && depth === 1 ? memoObject(memo) : object();
  if (c === 91) return array();
  if (c === 34) return string(false);
  if (c === 116) return word('true');
  if (c === 102) return word('false');
  if (c === 110) return word('null');
  return number();
}

const repeatedKey = new Error('repeated key');

/**
 * `canonicalJson(JSON.parse(text))`, read in one pass; throws where JSON.parse would. With `objects`, the canonical
 * text of each object one level down is kept there by its text, and reused when the same text comes again: an owners
 * snapshot is a few such objects (one per owner), and a chain repeats the same few people on every agent's events.
 */
export function canonicalJsonText(text: string, objects?: Map<string, string>): string {
  src = text;
  at = 0;
  depth = 0;
  memo = objects ?? null;
  try {
    const out = value();
    skipSpace();
    if (at !== src.length) fail();
    return out;
  } catch (e) {
    // A repeated key, or nesting deeper than this reader's stack allows (it recurses twice a level): the slow way,
    // which gives JSON.parse's answer or its error.
    if (e instanceof SyntaxError) throw e;
    const read = JSON.parse(text) as Json;
    if (!exactNumbers(text)) throw new SyntaxError('A number in it is not one JavaScript holds exactly');
    return canonicalJson(read);
  } finally {
    src = '';
    memo = null;
  }
}

/** A decimal's value as one text: sign, significant digits, exponent ("0" for zero). */
function decimalKey(text: string): string {
  const m = /^(-?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) return text;
  const digits = `${m[2] ?? ''}${m[3] ?? ''}`;
  const lead = digits.search(/[1-9]/);
  if (lead === -1) return '0';
  const significant = digits.slice(lead).replace(/0+$/, '');
  // The exponent of the first significant digit.
  const exponent = Number(m[4] ?? 0) + (m[2] ?? '').length - lead - 1;
  return `${m[1]}${significant}e${exponent}`;
}

/** Whether a number's text is the value JavaScript read from it (finite, the same decimal). */
const exactly = (token: string, read: number): boolean =>
  Number.isFinite(read) && decimalKey(token) === decimalKey(String(read));

/**
 * Whether every number in a JSON text is one JavaScript holds exactly. The chain hashes what JSON.parse reads, and
 * jsonb keeps any decimal: 1e400 reads as Infinity (written null), 1.0000000000000000001 as 1, so such a number in
 * place of null or 1 would leave the hash as it was while the stored text (what SQL and exports read) changed.
 * Custodian writes numbers from JavaScript, so every one it wrote passes. Only a number with a point, an exponent or
 * sixteen digits can be inexact; texts without one are passed at the cost of a scan.
 */
export function exactNumbers(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: to its closing quote, over escapes.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 92) i++;
        else if (d === 34) break;
      }
    } else if (c === 45 || (c >= 48 && c <= 57)) {
      const start = i;
      let plain = true;
      for (; i + 1 < text.length; i++) {
        const d = text.charCodeAt(i + 1);
        if (d === 46 || d === 101 || d === 69 || d === 43 || d === 45) plain = false;
        else if (d < 48 || d > 57) break;
      }
      const token = text.slice(start, i + 1);
      if (plain && token.length < 16) continue;
      if (!exactly(token, Number(token))) return false;
    }
  }
  return true;
}
