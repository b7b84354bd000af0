import 'server-only';
import { StringDecoder } from 'node:string_decoder';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { poolOf, type Db, type Tx } from '@/lib/db';
import { getEnv } from '@/lib/env';

// Reading the whole chain (verification, export) at the speed the database
// can send it: on a PostgreSQL server one COPY of the ordered query, parsed
// as it streams; on the embedded database, keyset batches. The JSON columns
// stay text, so an export passes them through and a verifier parses them once.

/** An event as stored, every column as text (times as ISO 8601, JSON as JSON text). */
export type RawEvent = {
  seq: string;
  occurredAt: string;
  recordedAt: string;
  actorType: string;
  actorId: string | null;
  agentId: string | null;
  credentialId: string | null;
  action: string;
  details: string;
  owners: string | null;
  prevHash: string;
  hash: string;
  /** The agent's slug, when asked for. */
  agentSlug: string | null;
  /** The chain format (1 or 2), and in format 2 the field digests and salts (JSON text). */
  format: string;
  digests: string | null;
  salts: string | null;
};

const FIELDS = [
  'seq',
  'occurredAt',
  'recordedAt',
  'actorType',
  'actorId',
  'agentId',
  'credentialId',
  'action',
  'details',
  'owners',
  'prevHash',
  'hash',
  'agentSlug',
  'format',
  'digests',
  'salts',
] as const;
/** SQL printing a timestamptz column (a qualified name) as `Date.toISOString()` writes it. */
export const isoSql = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
/**
 * The COPY's transaction prints times as "2026-12-05 06:11:27.5+00": to_char there cost the database a fifth of a
 * read. SET LOCAL in the COPY's own transaction, so a pooler that hands each transaction its own connection cannot
 * run the COPY with other settings.
 */
const COPY_SETTINGS = "BEGIN READ ONLY; SET LOCAL TIME ZONE 'UTC'; SET LOCAL DateStyle = 'ISO'";

/**
 * A time as the COPY's transaction prints it, as `Date.toISOString()` writes it (what an append hashed). Any other
 * shape (a year past 9999, BC, digits below the millisecond, which a timestamptz(3) never holds) stays as printed: it
 * matches no hash.
 */
export function isoFromPrinted(text: string): string {
  const n = text.length;
  if (text.charCodeAt(10) !== 32 || text.charCodeAt(4) !== 45 || !text.endsWith('+00')) return text;
  let fraction: string;
  if (n === 22) fraction = '.000';
  else if (n >= 24 && n <= 26 && text.charCodeAt(19) === 46) fraction = text.slice(19, n - 3).padEnd(4, '0');
  else return text;
  return `${text.slice(0, 10)}T${text.slice(11, 19)}${fraction}Z`;
}

/** SQL literals for a WHERE clause built from trusted fragments and these values. */
export const literal = (value: string | bigint | Date): string =>
  pg.escapeLiteral(value instanceof Date ? value.toISOString() : String(value));

/** The event's columns as text; times in ISO 8601, or with `printed` as the COPY's transaction prints them. */
function select(where: string, withSlug: boolean, printed: boolean): string {
  const time = (column: string) => (printed ? `e."${column}"::text` : isoSql(`e."${column}"`));
  // The slug by a per-row subquery, not a join: over the whole chain a join plans as a hash join and a sort of every
  // event before the first row.
  return `SELECT e."seq"::text AS "seq", ${time('occurredAt')} AS "occurredAt", ${time('recordedAt')} AS "recordedAt",
    e."actorType"::text AS "actorType",
    e."actorId", e."agentId", e."credentialId", e."action", e."details"::text AS "details",
    e."owners"::text AS "owners", e."prevHash", e."hash",
    ${withSlug ? '(SELECT a."slug" FROM "Agent" a WHERE a."id" = e."agentId")' : 'NULL::text'} AS "agentSlug",
    e."format"::text AS "format", e."digests"::text AS "digests", e."salts"::text AS "salts"
    FROM "AuditEvent" e
    WHERE (${where})`;
}

/** COPY's text format: tab-separated, \N for NULL, backslash escapes. */
function unescape(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(.)/g, (_, c: string) =>
    c === 'n' ? '\n' : c === 't' ? '\t' : c === 'r' ? '\r' : c === 'b' ? '\b' : c === 'f' ? '\f' : c === 'v' ? '\v' : c,
  );
}

function toEvent(v: (string | null)[]): RawEvent {
  // Columns in FIELDS order; the NOT NULL ones are never null.
  return {
    seq: v[0]!,
    occurredAt: v[1]!,
    recordedAt: v[2]!,
    actorType: v[3]!,
    actorId: v[4] ?? null,
    agentId: v[5] ?? null,
    credentialId: v[6] ?? null,
    action: v[7]!,
    details: v[8]!,
    owners: v[9] ?? null,
    prevHash: v[10]!,
    hash: v[11]!,
    agentSlug: v[12] ?? null,
    format: v[13]!,
    digests: v[14] ?? null,
    salts: v[15] ?? null,
  };
}

/**
 * Every event matching `where` (SQL over `e`, the event, with values as
 * `literal`s) in seq order, `batch` at a time. The query runs in one
 * snapshot on a server; memory stays at one batch either way. `keyset`: pages
 * through `db` itself (a transaction, in its snapshot) rather than a COPY on a
 * connection of its own.
 */
export async function* streamEvents(
  db: Db | Tx,
  where: string,
  options: { withSlug?: boolean; batch?: number; keyset?: boolean } = {},
): AsyncGenerator<RawEvent[]> {
  const batch = options.batch ?? 5_000;
  // The server `db` is on: the replica's, when a read that tolerates lag was sent there.
  const primary = getEnv().DATABASE_URL;
  const url = !options.keyset && primary && (poolOf(db as Db)?.options.connectionString ?? primary);
  const sql = select(where, options.withSlug ?? false, Boolean(url));
  if (!url) {
    let after = '0';
    for (;;) {
      const rows = await db.$queryRawUnsafe<Record<string, string | null>[]>(
        `SELECT * FROM (${sql} AND e."seq" > ${literal(after)}::bigint ORDER BY e."seq" LIMIT ${batch}) page`,
      );
      if (rows.length === 0) return;
      yield rows.map((r) => toEvent(FIELDS.map((f) => r[f] ?? null)));
      if (rows.length < batch) return;
      after = rows[rows.length - 1]!.seq!;
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(COPY_SETTINGS);
    const stream = client.query(copyTo(`COPY (${sql} ORDER BY e."seq") TO STDOUT`));
    const decoder = new StringDecoder('utf8');
    let rest = '';
    let events: RawEvent[] = [];
    const fields: (string | null)[] = new Array<string | null>(FIELDS.length);
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = rest + decoder.write(chunk);
      let start = 0;
      for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
        // The line's fields by their tabs, in place: no array of the line's pieces to collect.
        for (let i = 0; i < FIELDS.length; i++) {
          const tab = i + 1 < FIELDS.length ? text.indexOf('\t', start) : end;
          fields[i] = unescape(text.slice(start, tab));
          start = tab + 1;
        }
        // NULL only where the column was altered: left so, it fails the event's hash.
        const occurredAt = fields[1];
        const recordedAt = fields[2];
        if (occurredAt != null) fields[1] = isoFromPrinted(occurredAt);
        if (recordedAt != null) fields[2] = isoFromPrinted(recordedAt);
        events.push(toEvent(fields));
      }
      rest = text.slice(start);
      if (events.length >= batch) {
        yield events;
        events = [];
      }
    }
    if (events.length > 0) yield events;
  } finally {
    await client.end();
  }
}
