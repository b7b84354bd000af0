// Chain format 2: an event's hash covers a salted digest of each field of its details, not the values, so a value
// can later be replaced by a tombstone (a redaction) and the chain still verifies. A field is a leaf of the details
// (a scalar, an empty array or object, or a tombstone), named by its JSON pointer (RFC 6901). Shared by the server
// and the offline pack verifier: no server imports.
import { hash, randomBytes } from 'node:crypto';
import { canonicalJson, type Json } from './canonical';
import { isTombstone } from './tombstone';

export const FORMAT_V2 = 2;

function escapeToken(token: string): string {
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

/** The path of a JSON pointer as keys ('' is the whole document). */
export function pointerPath(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`"${pointer}" is not a JSON pointer`);
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/**
 * Every field of the details in document order: its pointer, its value, and its shape — whether each step of the
 * pointer enters an object ("o") or an array ("a"), since "/0" names both `{"0": x}` and `[x]`.
 */
export function fieldsOf(details: Json): [string, Json, string][] {
  const fields: [string, Json, string][] = [];
  collectFields(details, '', '', fields);
  return fields;
}

// A loop into one list, not a list per level: a verifier reads the fields of every event.
function collectFields(value: Json, pointer: string, shape: string, fields: [string, Json, string][]): void {
  if (value === null || typeof value !== 'object' || isTombstone(value)) {
    fields.push([pointer, value, shape]);
  } else if (Array.isArray(value)) {
    if (value.length === 0) fields.push([pointer, value, shape]);
    for (let i = 0; i < value.length; i++) collectFields(value[i]!, `${pointer}/${i}`, `${shape}a`, fields);
  } else {
    const keys = Object.keys(value);
    if (keys.length === 0) fields.push([pointer, value, shape]);
    for (const key of keys) collectFields(value[key]!, `${pointer}/${escapeToken(key)}`, `${shape}o`, fields);
  }
}

/** sha256 over the salt, the pointer, its shape and the canonical value, base64url: what the chain keeps of a field. */
export function fieldDigest(salt: string, pointer: string, shape: string, value: Json): string {
  // Joined, not concatenated: node:crypto reads a flat string faster than a rope.
  return hash('sha256', ['custodian-field/1', salt, pointer, shape, canonicalJson(value)].join('\n'), 'base64url');
}

/** The digests the hash covers, and the salts (kept beside the values, destroyed with a redacted one). */
export function sealDetails(
  details: Json,
  // The scale loader passes a pooled source: one system call per event adds up over millions.
  random: (size: number) => Buffer = randomBytes,
): { digests: Record<string, string>; salts: Record<string, string> } {
  const fields = fieldsOf(details);
  const bytes = random(16 * fields.length);
  const digests: Record<string, string> = {};
  const salts: Record<string, string> = {};
  fields.forEach(([pointer, value, shape], i) => {
    const salt = bytes.subarray(16 * i, 16 * (i + 1)).toString('base64url');
    salts[pointer] = salt;
    digests[pointer] = fieldDigest(salt, pointer, shape, value);
  });
  return { digests, salts };
}

export type FieldCheck =
  { ok: true; redacted: { pointer: string; redactionId: string }[] } | { ok: false; pointer: string; reason: string };

/**
 * Whether the stored values are the ones the digests seal: every field has its digest and no digest lacks its field;
 * a live field's value and salt give its digest; a redacted field has no salt left (so its value cannot be guessed
 * back from the digest). Which redactions are real is for the caller to check against `audit.redacted` events.
 */
export function checkFields(details: Json, digests: Json, salts: Json): FieldCheck {
  if (!isRecord(digests) || !isRecord(salts))
    return { ok: false, pointer: '', reason: 'its field digests are missing' };
  const fields = fieldsOf(details);
  const redacted: { pointer: string; redactionId: string }[] = [];
  for (const [pointer, value, shape] of fields) {
    const digest = digests[pointer];
    if (typeof digest !== 'string') return { ok: false, pointer, reason: `field ${pointer || '/'} was added` };
    const salt = salts[pointer];
    if (isTombstone(value)) {
      if (salt !== undefined) return { ok: false, pointer, reason: `field ${pointer} is redacted but kept its salt` };
      redacted.push({ pointer, redactionId: value.$redacted });
    } else if (typeof salt !== 'string' || fieldDigest(salt, pointer, shape, value) !== digest) {
      return { ok: false, pointer, reason: `field ${pointer || '/'} was altered` };
    }
  }
  if (Object.keys(digests).length !== fields.length) {
    const present = new Set(fields.map(([p]) => p));
    const missing = Object.keys(digests).find((p) => !present.has(p)) ?? '';
    return { ok: false, pointer: missing, reason: `field ${missing || '/'} was removed` };
  }
  return { ok: true, redacted };
}

const isRecord = (v: Json): v is Record<string, Json> => v !== null && typeof v === 'object' && !Array.isArray(v);
