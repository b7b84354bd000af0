import type { z } from 'zod';

export type SearchParams = Record<string, string | string[] | undefined>;

/**
 * A page's URL state through its zod schema: the first value of a repeated
 * key; every field of a list schema `.catch`es, so a bad value falls back.
 */
export function parseSearchParams<S extends z.ZodType>(schema: S, params: SearchParams): z.infer<S> {
  return schema.parse(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
}
