import { z } from 'zod';

// Keyset pagination for Prisma lists ordered by one column and then id: a
// cursor names the boundary row's sort value and id, so page 10,000 costs
// what page 1 does (no OFFSET anywhere).

type SortValue = string | number | Date | null;
export type KeysetPage<T> = { rows: T[]; next: string | null; prev: string | null };

/** The URL state every keyset list shares: a cursor either way and a page size. */
export const keysetParams = {
  // Cursors are base64url (encodeCursor); anything else starts from the top.
  after: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,1000}$/)
    .optional()
    .catch(undefined),
  before: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,1000}$/)
    .optional()
    .catch(undefined),
  size: z.coerce
    .number()
    .int()
    .pipe(z.union([z.literal(25), z.literal(50), z.literal(100)]))
    .catch(50)
    .default(50),
};
export type KeysetQuery = { after?: string; before?: string; size: number };

export function encodeCursor(value: SortValue, id: string): string {
  const v = value instanceof Date ? { d: value.toISOString() } : value;
  return Buffer.from(JSON.stringify([v, id])).toString('base64url');
}

/** The cursor's sort value and id, or null when it is not one of ours (a bad cursor starts the list over). */
export function decodeCursor(cursor: string | undefined): [SortValue, string] | null {
  if (!cursor) return null;
  try {
    const [v, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof id !== 'string') return null;
    if (v && typeof v === 'object' && typeof (v as { d?: unknown }).d === 'string') {
      const date = new Date((v as { d: string }).d);
      return Number.isNaN(date.getTime()) ? null : [date, id];
    }
    return v === null || typeof v === 'string' || typeof v === 'number' ? [v, id] : null;
  } catch {
    return null;
  }
}

type Order = 'asc' | 'desc';
export type Find<T> = (args: {
  where: Record<string, unknown>;
  orderBy: Record<string, Order | { sort: Order; nulls: 'first' | 'last' }>[];
  take: number;
  /**
   * The same boundary as `where` says it, for a find written in SQL: rows after (gt) or before (lt) this one in
   * (field, id) order. A row comparison says it only for a non-nullable field.
   */
  boundary: { value: SortValue; id: string; beyond: 'gt' | 'lt' } | null;
}) => Promise<T[]>;

/**
 * One page of a list ordered by `field` then `id`, in `dir`. A `nullable`
 * field sorts ascending with nulls last (people without a name, at the end).
 * `find` runs the query with the filter it is given ANDed to the list's own.
 */
export async function keysetPage<T extends { id: string }>({
  query,
  field,
  dir,
  value,
  find,
  nullable = false,
}: {
  query: KeysetQuery;
  field: string;
  dir: Order;
  nullable?: boolean;
  value: (row: T) => SortValue;
  find: Find<T>;
}): Promise<KeysetPage<T>> {
  const after = decodeCursor(query.after);
  const before = after ? null : decodeCursor(query.before);
  const backwards = before !== null;
  // Reading backwards flips the order; the rows are put back in list order after.
  const order = (backwards ? (dir === 'asc' ? 'desc' : 'asc') : dir) as 'asc' | 'desc';
  const beyond = order === 'asc' ? 'gt' : 'lt';
  const boundary = after ?? before;
  const where = boundary ? beyondBoundary(field, boundary, beyond, nullable) : {};
  const orderBy = nullable
    ? [{ [field]: { sort: order, nulls: backwards ? ('first' as const) : ('last' as const) } }, { id: order }]
    : [{ [field]: order }, { id: order }];
  const found = await find({
    where,
    orderBy,
    take: query.size + 1,
    boundary: boundary ? { value: boundary[0], id: boundary[1], beyond } : null,
  });
  const more = found.length > query.size;
  const rows = found.slice(0, query.size);
  if (backwards) rows.reverse();
  const cursor = (row: T | undefined) => (row ? encodeCursor(value(row), row.id) : null);
  return {
    rows,
    next: backwards || more ? cursor(rows[rows.length - 1]) : null,
    prev: backwards ? (more ? cursor(rows[0]) : null) : after ? cursor(rows[0]) : null,
  };
}

/**
 * A Find over the union of several (disjoint or not), for a list on a non-nullable field: each asked with the same
 * cursor, order and size, their rows merged in that order, each row once. Ties on the sort value are broken by id in
 * code-unit order, as a "C" collation sorts them.
 */
export function unionFind<T extends { id: string }>(value: (row: T) => SortValue, finds: Find<T>[]): Find<T> {
  if (finds.length === 1) return finds[0]!;
  return async (args) => {
    const found = (await Promise.all(finds.map((find) => find(args)))).flat();
    const first = Object.values(args.orderBy[0]!)[0]!;
    const sign = (typeof first === 'string' ? first : first.sort) === 'asc' ? 1 : -1;
    const key = (v: SortValue) => (v instanceof Date ? v.getTime() : v);
    const seen = new Set<string>();
    return found
      .filter((row) => !seen.has(row.id) && Boolean(seen.add(row.id)))
      .sort((a, b) => {
        const [x, y] = [key(value(a)), key(value(b))];
        if (x !== null && y !== null && x !== y) return sign * (x < y ? -1 : 1);
        return sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      })
      .slice(0, args.take);
  };
}

/** Rows past the boundary row in the reading order (nulls come last going forward, first going back). */
function beyondBoundary(
  field: string,
  [v, id]: [SortValue, string],
  beyond: 'gt' | 'lt',
  nullable: boolean,
): Record<string, unknown> {
  const sameValueLaterId = { [field]: v, id: { [beyond]: id } };
  if (!nullable) return { OR: [{ [field]: { [beyond]: v } }, sameValueLaterId] };
  const forward = beyond === 'gt';
  if (v === null) {
    return forward ? sameValueLaterId : { OR: [{ [field]: { not: null } }, sameValueLaterId] };
  }
  return { OR: [{ [field]: { [beyond]: v } }, sameValueLaterId, ...(forward ? [{ [field]: null }] : [])] };
}

/** Counts stop here: "more than 10,000" is what a list needs to say, and counting further costs. */
export const COUNT_CAP = 10_000;

/** A list's total, capped (Prisma's count takes `take`). */
export async function cappedCount(
  count: (args: { take: number }) => Promise<number>,
): Promise<{ total: number; capped: boolean }> {
  const n = await count({ take: COUNT_CAP + 1 });
  return n > COUNT_CAP ? { total: COUNT_CAP, capped: true } : { total: n, capped: false };
}
