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
  /**
   * When it happened and was recorded (ISO 8601), its agent and credential: carried for the registry check
   * (./drift.ts). An archive made before rotations were replayed carries no `occurredAt`.
   */
  occurredAt?: string;
  recordedAt?: string;
  agentId?: string | null;
  credentialId?: string | null;
};

const REDACTION_ACTIONS = new Set(['change.requested', 'change.applied', 'audit.redacted']);

export const concernsRedaction = (action: string, redacted: unknown[]) =>
  redacted.length > 0 || REDACTION_ACTIONS.has(action);

/** The records of archived and restored ranges: which manifests still stand. */
export const ARCHIVE_ACTIONS = new Set(['audit.archived', 'audit.restored']);

/**
 * An archived range's events that verification still needs once they are gone — redaction requests, records and
 * tombstones, archive and restore records — as the JSON text its signed manifest carries.
 */
export function carriedText(items: LedgerItem[]): string {
  return JSON.stringify(items.map((i) => ({ ...i, seq: i.seq.toString() })));
}

export function parseCarried(text: string): LedgerItem[] {
  const items = JSON.parse(text) as (Omit<LedgerItem, 'seq'> & { seq: string })[];
  return items.map((i) => ({ ...i, seq: BigInt(i.seq) }));
}

/** An event as the ledger reads it from the database. */
export type StoredEvent = {
  seq: bigint;
  action: string;
  actorId: string | null;
  details: Json;
  digests: Json;
  salts: Json;
  format: number;
};

/** The fields an event shows as redacted (format 2, its digests holding); none otherwise. */
export function redactedFields(e: StoredEvent): LedgerItem['redacted'] {
  const check = e.format === 2 ? checkFields(e.details, e.digests, e.salts) : null;
  return check?.ok ? check.redacted : [];
}

/**
 * The ledger over the walked items (seqs `after` < seq ≤ `through`), the items the manifests of the archived ranges
 * skipped carry, and their counterparts outside that range up to the head.
 */
export async function replayRedactions(
  db: Db,
  walked: LedgerItem[],
  range: { after: bigint; through: bigint; head: bigint },
  carried: LedgerItem[],
): Promise<RedactionLedger> {
  const ledger = new RedactionLedger();
  // By seq: what was walked wins over a manifest's copy of a range since restored.
  const items = new Map<bigint, LedgerItem>([...carried, ...walked].map((i) => [i.seq, i]));
  for (const seq of [...items.keys()]) if (ARCHIVE_ACTIONS.has(items.get(seq)!.action)) items.delete(seq);
  const partial = range.after > 0n || range.through < range.head;
  if (partial) await addOutside(db, items, range);
  for (const item of [...items.values()].sort((a, b) => (a.seq < b.seq ? -1 : 1))) {
    ledger.see(item.seq, item.action, item.actorId, item.details, item.redacted);
  }
  return ledger;
}

/** The counterparts outside a partial walk: redaction requests and records, and the events the records name. */
async function addOutside(
  db: Db,
  items: Map<bigint, LedgerItem>,
  range: { after: bigint; through: bigint; head: bigint },
) {
  const outside = (seq: bigint) => seq <= range.after || seq > range.through;
  const rows = await db.$queryRaw<StoredEvent[]>`
    SELECT e."seq", e."action", e."actorId", e."details", e."digests", e."salts", e."format"::int AS "format"
    FROM "AuditEvent" e
    WHERE e."action" IN ('change.requested', 'change.applied', 'audit.redacted') AND e."seq" <= ${range.head}
      AND (e."seq" <= ${range.after} OR e."seq" > ${range.through})
      AND (e."action" = 'audit.redacted' OR e."details"->>'kind' = 'AUDIT_REDACTION')`;
  for (const r of rows) items.set(r.seq, { ...r, redacted: [] });
  // The events the records name, outside the walk: their tombstones, as a full walk would have read them.
  const named = [...items.values()]
    .filter((i) => i.action === 'audit.redacted')
    .map((i) => String((i.details as { seq?: unknown } | null)?.seq ?? ''))
    .filter((s) => /^\d{1,19}$/.test(s))
    .map(BigInt)
    .filter((seq) => outside(seq) && !items.has(seq));
  if (named.length > 0) {
    const targets = await db.$queryRaw<StoredEvent[]>`
      SELECT e."seq", e."action", e."actorId", e."details", e."digests", e."salts", e."format"::int AS "format"
      FROM "AuditEvent" e WHERE e."seq" = ANY(${named}::bigint[])`;
    for (const t of targets) {
      items.set(t.seq, { ...t, redacted: redactedFields(t) });
    }
  }
}
