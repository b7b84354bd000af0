// Every string a person or an API client can send goes through FreeText (or is
// an id, an enum, a date or another constrained format): this walks every
// input schema and names each free string that does not.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { FREE_TEXT } from './free-text';

type Def = Record<string, unknown> & { type: string; checks?: { _zod: { def: Record<string, unknown> } }[] };
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

/** Paths of string nodes that are neither FreeText nor constrained to a format (regex, uuid, datetime…). */
function freeStrings(schema: z.ZodType, at: string, out: string[], seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return out;
  seen.add(schema);
  if (FREE_TEXT.has(schema)) return out;
  const def = defOf(schema);
  const walk = (s: unknown, p = at) => freeStrings(s as z.ZodType, p, out, seen);
  switch (def.type) {
    case 'string':
      if (!def.format && !def.checks?.some((c) => c._zod.def.check === 'string_format')) out.push(at || '(root)');
      break;
    case 'object':
      for (const [key, value] of Object.entries(def.shape as Record<string, unknown>)) walk(value, `${at}.${key}`);
      break;
    case 'array':
      walk(def.element, `${at}[]`);
      break;
    case 'union':
      for (const option of def.options as unknown[]) walk(option);
      break;
    case 'pipe':
      walk(def.in);
      // FreeText piped into a refinement (`.pipe(z.string().min(3))`) checks the same value further.
      if (!FREE_TEXT.has(def.in as z.ZodType)) walk(def.out);
      break;
    case 'record':
      walk(def.valueType, `${at}{}`);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      walk(def.innerType);
      break;
  }
  return out;
}

function schemaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'generated' ? [] : schemaFiles(full);
    return name === 'schema.ts' ? [full] : [];
  });
}

describe('every free string is FreeText', () => {
  const files = schemaFiles(path.resolve(__dirname, '..'));

  it('finds the input schemas', () => {
    expect(files.length).toBeGreaterThanOrEqual(10);
  });

  it.each(files.map((f) => path.relative(path.resolve(__dirname, '../..'), f)))('%s', async (file) => {
    const exported = (await import(path.resolve(__dirname, '../..', file))) as Record<string, unknown>;
    const offenders = Object.entries(exported).flatMap(([name, value]) =>
      // Response schemas (`…ResultSchema`) describe what Custodian sends, not what it accepts.
      value && typeof value === 'object' && '_zod' in value && !name.endsWith('ResultSchema')
        ? freeStrings(value as z.ZodType, name, [])
        : [],
    );
    expect(offenders).toEqual([]);
  });

  it('would catch a plain string', async () => {
    const { z } = await import('zod');
    expect(freeStrings(z.object({ note: z.string().max(10) }), 'Probe', [])).toEqual(['Probe.note']);
  });
});
