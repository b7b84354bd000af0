import 'server-only';
import type { Db } from '@/lib/db';
import type { Json } from './canonical';
import { checkFields } from './fields';
import { RedactionLedger } from './redaction-ledger';

// A walk of part of the chain (an incremental run, a sample) still checks every redaction it meets against its
// counterparts wherever they lie: the requests and records outside the walked range are fetched by query (they are
// few, and indexed by action), the events a record names are read for their tombstones, and all of it is replayed
// through the ledger in seq order, as a full walk would have seen it.

/** What the ledger needs of an event: only events with a tombstone or a redaction action are kept. */
export type LedgerItem = {
  seq: bigint;
  action: string;
  actorId: string | null;
  details: Json;
  redacted: { pointer: string; redactionId: string }[];
};

const REDACTION_ACTIONS = new Set(['change.requested', 'change.applied', 'audit.redacted']);

export const concernsRedaction = (action: string, redacted: unknown[]) =>
  redacted.length > 0 || REDACTION_ACTIONS.has(action);

type Row = {
  seq: bigint;
  action: string;
  actorId: string | null;
  details: Json;
  digests: Json;
  salts: Json;
  format: number;
};

/**
 * The ledger over the walked items (seqs `after` < seq ≤ `through`) and their counterparts outside that range up to
 * the head. `archived`: ranges a manifest vouches for, whose events cannot be read.
 */
export async function replayRedactions(
  db: Db,
  walked: LedgerItem[],
  range: { after: bigint; through: bigint; head: bigint },
): Promise<RedactionLedger> {
  const ledger = new RedactionLedger();
  const partial = range.after > 0n || range.through < range.head;
  if (!partial) {
    for (const item of walked) ledger.see(item.seq, item.action, item.actorId, item.details, item.redacted);
    return ledger;
  }
  const outside = (seq: bigint) => seq <= range.after || seq > range.through;
  const rows = await db.$queryRaw<Row[]>`
    SELECT e."seq", e."action", e."actorId", e."details", e."digests", e."salts", e."format"::int AS "format"
    FROM "AuditEvent" e
    WHERE e."action" IN ('change.requested', 'change.applied', 'audit.redacted') AND e."seq" <= ${range.head}
      AND (e."seq" <= ${range.after} OR e."seq" > ${range.through})
      AND (e."action" = 'audit.redacted' OR e."details"->>'kind' = 'AUDIT_REDACTION')`;
  const items = new Map<bigint, LedgerItem>(walked.map((i) => [i.seq, i]));
  for (const r of rows) items.set(r.seq, { ...r, redacted: [] });
  // The events the records name, outside the walk: their tombstones, as a full walk would have read them.
  const named = [...items.values()]
    .filter((i) => i.action === 'audit.redacted')
    .map((i) => String((i.details as { seq?: unknown } | null)?.seq ?? ''))
    .filter((s) => /^\d{1,19}$/.test(s))
    .map(BigInt)
    .filter((seq) => outside(seq) && !items.has(seq));
  if (named.length > 0) {
    const targets = await db.$queryRaw<Row[]>`
      SELECT e."seq", e."action", e."actorId", e."details", e."digests", e."salts", e."format"::int AS "format"
      FROM "AuditEvent" e WHERE e."seq" = ANY(${named}::bigint[])`;
    for (const t of targets) {
      const check = t.format === 2 ? checkFields(t.details, t.digests, t.salts) : null;
      items.set(t.seq, { ...t, redacted: check?.ok ? check.redacted : [] });
    }
  }
  for (const item of [...items.values()].sort((a, b) => (a.seq < b.seq ? -1 : 1))) {
    ledger.see(item.seq, item.action, item.actorId, item.details, item.redacted);
  }
  return ledger;
}
