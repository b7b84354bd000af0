import 'server-only';
import type { Db } from '@/lib/db';

/** A partition of the timeline: the seqs from `fromSeq` through `toSeq`. */
export type Partition = { name: string; fromSeq: bigint; toSeq: bigint };

/** The timeline's partitions, oldest first. */
export async function listPartitions(db: Db): Promise<Partition[]> {
  const rows = await db.$queryRaw<{ name: string; bound: string }[]>`
    SELECT c.relname AS "name", pg_get_expr(c.relpartbound, c.oid) AS "bound"
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = '"AuditEvent"'::regclass`;
  return rows
    .map((r) => {
      const [, from, to] = /FROM \('?(\d+)'?\) TO \('?(\d+)'?\)/.exec(r.bound) ?? [];
      if (!from || !to) throw new Error(`Partition ${r.name} has a bound this version does not read: ${r.bound}`);
      return { name: r.name, fromSeq: BigInt(from), toSeq: BigInt(to) - 1n };
    })
    .sort((a, b) => (a.fromSeq < b.fromSeq ? -1 : 1));
}

/** The application's hourly run: partitions ahead at the last one's width, through the owner's function. */
export async function keepPartitionsAhead(db: Db): Promise<number> {
  const [row] = await db.$queryRaw<{ created: number }[]>`SELECT custodian_audit_keep_partitions_ahead() AS "created"`;
  return row?.created ?? 0;
}

/**
 * Creates partitions ahead of the chain (as the owner: the application role may not), each `width` seqs wide (by
 * default the last one's), until the last ends two widths beyond the head or `throughSeq`. Returns how many.
 */
export async function ensurePartitionsAhead(
  db: Db,
  options: { width?: bigint; throughSeq?: bigint } = {},
): Promise<number> {
  const [row] = await db.$queryRaw<{ created: number }[]>`
    SELECT custodian_audit_partitions_ahead(
      ${options.width ?? null}::bigint, ${options.throughSeq ?? null}::bigint, NULL) AS "created"`;
  return row?.created ?? 0;
}
