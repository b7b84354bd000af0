import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { isPostgresServer, type Db, type Tx } from '@/lib/db';
import { Conflict, Invalid } from '@/lib/errors';
import type { AuditArchive } from '@/lib/generated/prisma/client';
import { appendAuditEvent, SYSTEM_ACTOR } from './append';
import { hashEvent } from './canonical';
import { listPartitions, type Partition } from './partitions';
import { REGISTRY_ACTIONS } from './registry-actions';
import {
  archiveSignatureHolds,
  archiveStatement,
  loadSigningKey,
  signStatement,
  trustedPublicKeys,
  type PublicKeys,
} from './signing';
import { verifyAuditChain } from './verify';
import {
  ARCHIVE_ACTIONS,
  carriedText,
  concernsRedaction,
  redactedFields,
  type LedgerItem,
  type StoredEvent,
} from './verify-redactions';
import { readWitness } from './witness';

// Archiving moves a closed range of the timeline out of the database and keeps the chain provable. In one
// transaction, with the partition locked against writes: the chain is verified through the range, the range is
// written to NDJSON (one row per line, as PostgreSQL renders it), `audit.archived` is appended, a manifest signed
// with the audit key names the chain hash going in and coming out, the count, the file's SHA-256, that event's seq
// and the range's events verification still needs; then the partition is detached and dropped. Verification accepts
// the gap only where such a manifest covers exactly it; a restore reattaches the rows after checking them, read once,
// against the signed manifest.

export const MANIFEST_FORMAT = 'custodian.audit.archive.v1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const seqText = z.string().regex(/^[1-9]\d{0,18}$/);
const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  id: z.string().min(1).max(64),
  partition: z.string(),
  fromSeq: seqText,
  toSeq: seqText,
  count: z.number().int().positive(),
  headIn: hex64,
  headOut: hex64,
  fileSha256: hex64,
  eventSeq: seqText,
  carried: z.string(),
  archivedAt: z.iso.datetime(),
  keyId: z.string().min(1),
  signature: z.string().min(1),
});
export type ArchiveManifest = z.infer<typeof manifestSchema>;

/** A partition's name follows from where it starts (what a restore recreates, whatever a manifest file says). */
export const partitionName = (fromSeq: bigint) => `AuditEvent_${fromSeq.toString().padStart(19, '0')}`;

const filesOf = (dir: string, partition: string) => ({
  events: path.join(dir, `${partition}.ndjson`),
  manifest: path.join(dir, `${partition}.manifest.json`),
});

/**
 * Archives one partition (by name, or the one holding `seq`) into `dir`, as the owner. Only a full range below the
 * chain head is archived, and only when the chain verifies through it with the trusted keys while the range is locked
 * against writes: a signed manifest over a changed range would launder the change.
 */
export async function archivePartition(db: Db, which: string, dir: string): Promise<ArchiveManifest> {
  const key = loadSigningKey();
  if (!key) throw new Conflict('Archiving needs the audit signing key (AUDIT_SIGNING_KEY) to sign the manifest.');
  const partition = await findPartition(db, which);
  const head = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  if (partition.toSeq > head.seq) {
    throw new Conflict(
      `${partition.name} holds seqs ${partition.fromSeq} to ${partition.toSeq}, beyond the chain head ` +
        `(seq ${head.seq}): only a full range below the head can be archived.`,
    );
  }
  if (!isPostgresServer()) await verifyThrough(db, partition.toSeq);
  await mkdir(dir, { recursive: true });
  const files = filesOf(dir, partition.name);
  const partial = { events: `${files.events}.partial`, manifest: `${files.manifest}.partial` };
  try {
    const manifest = await db.$transaction(
      async (tx) => {
        // No write reaches the range from here to the drop: what is verified is what is written and signed. (The
        // embedded database has one connection and no other writer: it verifies before.)
        await tx.$executeRawUnsafe(`LOCK TABLE ${ident(partition.name)} IN SHARE MODE`);
        if (isPostgresServer()) await verifyThrough(db, partition.toSeq);
        const written = await writeEvents(tx, partition, partial.events);
        const expected = Number(partition.toSeq - partition.fromSeq + 1n);
        if (written.count !== expected) {
          throw new Conflict(`${partition.name} holds ${written.count} events where ${expected} were expected.`);
        }
        const id = randomUUID();
        const recorded = await appendAuditEvent(tx, {
          action: 'audit.archived',
          actor: SYSTEM_ACTOR,
          details: {
            archiveId: id,
            fromSeq: String(partition.fromSeq),
            toSeq: String(partition.toSeq),
            count: written.count,
            fileSha256: written.sha256,
          },
        });
        const fields = {
          id,
          partition: partition.name,
          fromSeq: partition.fromSeq,
          toSeq: partition.toSeq,
          count: written.count,
          headIn: written.headIn,
          headOut: written.headOut,
          fileSha256: written.sha256,
          eventSeq: recorded.seq,
          carried: carriedText(written.carried),
          archivedAt: new Date(),
          keyId: key.keyId,
        };
        const signature = signStatement(key, archiveStatement(fields));
        await tx.auditArchive.create({ data: { ...fields, signature } });
        const manifest: ArchiveManifest = {
          format: MANIFEST_FORMAT,
          ...fields,
          fromSeq: String(fields.fromSeq),
          toSeq: String(fields.toSeq),
          eventSeq: String(fields.eventSeq),
          archivedAt: fields.archivedAt.toISOString(),
          signature,
        };
        await writeDurably(partial.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
        await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DETACH PARTITION ${ident(partition.name)}`);
        await tx.$executeRawUnsafe(`DROP TABLE ${ident(partition.name)}`);
        return manifest;
      },
      { timeout: 3_600_000, maxWait: 60_000 },
    );
    // Under their names only once the range is gone from the database.
    await rename(partial.events, files.events);
    await rename(partial.manifest, files.manifest);
    return manifest;
  } catch (error) {
    await Promise.all([rm(partial.events, { force: true }), rm(partial.manifest, { force: true })]);
    throw error;
  }
}

async function verifyThrough(db: Db, seq: bigint) {
  // Against the witness too: a database rolled back is not sealed into a signed manifest.
  const witness = await readWitness(db);
  if (witness.problem) throw new Conflict(`The chain was not checked against the witness: ${witness.problem}.`);
  const verification = await verifyAuditChain(db, { keys: trustedPublicKeys(), witness: witness.checkpoints });
  if (!verification.ok || verification.verifiedThroughSeq < seq) {
    throw new Conflict(
      `The chain does not verify through seq ${seq}` +
        (verification.ok ? '.' : `: ${verification.reason} (seq ${verification.brokenSeq}).`) +
        ' Nothing was archived.',
    );
  }
}

/**
 * Restores an archived range from its NDJSON file and the manifest beside it, as the owner: the manifest's signature
 * must hold for a trusted key and be the latest archive of the range, and the file — read once, hashed as its rows
 * are loaded, each row's hash and link recomputed — must be the one it names. The range must be missing.
 */
export async function restoreArchive(db: Db, eventsFile: string): Promise<ArchiveManifest> {
  const manifestFile = eventsFile.replace(/\.ndjson$/, '') + '.manifest.json';
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(manifestFile, 'utf8'));
  } catch (error) {
    throw new Invalid(`Cannot read the manifest ${manifestFile}: ${(error as Error).message}`);
  }
  const checked = manifestSchema.safeParse(parsed);
  if (!checked.success) throw new Invalid(`${manifestFile} is not an archive manifest: ${checked.error.message}`);
  const manifest = checked.data;
  if (!archiveSignatureHolds(trustedPublicKeys(), manifest)) {
    throw new Invalid(`The manifest's signature does not hold for a trusted key (key ${manifest.keyId}).`);
  }
  const [fromSeq, toSeq] = [BigInt(manifest.fromSeq), BigInt(manifest.toSeq)];
  const newer = await db.auditArchive.findFirst({
    where: { fromSeq, archivedAt: { gt: new Date(manifest.archivedAt) } },
    select: { archivedAt: true },
  });
  if (newer) {
    throw new Conflict(
      `Seqs ${fromSeq} to ${toSeq} were archived again on ${newer.archivedAt.toISOString()}: restore that archive.`,
    );
  }
  if ((await listPartitions(db)).some((p) => p.fromSeq <= toSeq && p.toSeq >= fromSeq)) {
    throw new Conflict(`Seqs ${fromSeq} to ${toSeq} are in the database: there is nothing to restore.`);
  }

  const name = partitionName(fromSeq);
  await db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`CREATE TABLE ${ident(name)} (LIKE "AuditEvent" INCLUDING DEFAULTS)`);
      const loaded = await loadEvents(tx, name, eventsFile, manifest.headIn);
      if (loaded.sha256 !== manifest.fileSha256) {
        throw new Invalid(
          `${eventsFile} is not the archived file: its SHA-256 is ${loaded.sha256}, the manifest names another.`,
        );
      }
      if (loaded.problem) throw new Invalid(`${eventsFile}: ${loaded.problem}`);
      if (loaded.count !== manifest.count || loaded.headOut !== manifest.headOut || loaded.lastSeq !== toSeq) {
        throw new Invalid(`${eventsFile} does not hold the range its manifest describes.`);
      }
      await tx.$executeRawUnsafe(
        `ALTER TABLE "AuditEvent" ATTACH PARTITION ${ident(name)} FOR VALUES FROM (${fromSeq}) TO (${toSeq + 1n})`,
      );
      await tx.$executeRaw`SELECT custodian_audit_guard_partition(${ident(name)}::regclass)`;
      await appendAuditEvent(tx, {
        action: 'audit.restored',
        actor: SYSTEM_ACTOR,
        details: {
          archiveId: manifest.id,
          fromSeq: manifest.fromSeq,
          toSeq: manifest.toSeq,
          count: manifest.count,
          fileSha256: manifest.fileSha256,
        },
      });
    },
    { timeout: 3_600_000, maxWait: 60_000 },
  );
  return manifest;
}

/**
 * The ranges archived and not restored — missing from the database, under a manifest signed by one of `keys` — oldest
 * first, the latest archive of each: what the timeline lists, and what samples and parallel walks step around.
 */
export async function archivedRanges(db: Db | Tx, keys: PublicKeys = trustedPublicKeys()): Promise<AuditArchive[]> {
  const rows = await db.$queryRaw<AuditArchive[]>`
    SELECT a.* FROM "AuditArchive" a
    WHERE NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."seq" = a."fromSeq")
    ORDER BY a."fromSeq", a."archivedAt" DESC`;
  const latest = new Map<bigint, AuditArchive>();
  for (const a of rows) if (!latest.has(a.fromSeq) && archiveSignatureHolds(keys, a)) latest.set(a.fromSeq, a);
  return [...latest.values()];
}

/** `seq`, or the first seq after the archived ranges it falls in. */
export function firstPresentSeq(archived: { fromSeq: bigint; toSeq: bigint }[], seq: bigint): bigint {
  for (let a = archived.find((r) => r.fromSeq <= seq && seq <= r.toSeq); a;) {
    seq = a.toSeq + 1n;
    a = archived.find((r) => r.fromSeq <= seq && seq <= r.toSeq);
  }
  return seq;
}

async function findPartition(db: Db, which: string): Promise<Partition> {
  const partitions = await listPartitions(db);
  const found = /^\d+$/.test(which)
    ? partitions.find((p) => p.fromSeq <= BigInt(which) && BigInt(which) <= p.toSeq)
    : partitions.find((p) => p.name === which);
  if (!found) {
    throw new Invalid(
      `No partition ${/^\d+$/.test(which) ? `holds seq ${which}` : `is named ${which}`}. ` +
        `The partitions: ${partitions.map((p) => `${p.name} (${p.fromSeq}–${p.toSeq})`).join(', ') || 'none'}.`,
    );
  }
  return found;
}

/**
 * Writes the partition's rows, in seq order, one JSON object per line; returns the count, the hashes in and out, the
 * file's SHA-256 and the rows verification still needs once they are gone.
 */
async function writeEvents(tx: Tx, partition: Partition, file: string) {
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  const carried: LedgerItem[] = [];
  let count = 0;
  let headIn = '';
  let headOut = '';
  type Row = StoredEvent & {
    prevHash: string;
    hash: string;
    line: string;
    tombstoned: boolean;
    occurredAt: Date;
    recordedAt: Date;
    agentId: string | null;
    credentialId: string | null;
  };
  try {
    for (let after = partition.fromSeq - 1n; ;) {
      const rows = await tx.$queryRaw<Row[]>`
        SELECT e."seq", e."prevHash", e."hash", row_to_json(e)::text AS "line", e."action", e."actorId",
          e."details", e."digests", e."salts", e."format"::int AS "format",
          e."details"::text LIKE '%"$redacted"%' AS "tombstoned", e."occurredAt", e."recordedAt", e."agentId",
          e."credentialId"
        FROM "AuditEvent" e
        WHERE e."seq" > ${after} AND e."seq" <= ${partition.toSeq} ORDER BY e."seq" LIMIT 5000`;
      if (rows.length === 0) break;
      const text = rows.map((r) => `${r.line}\n`).join('');
      hash.update(text);
      await handle.write(text);
      for (const r of rows) {
        const redacted = r.tombstoned ? redactedFields(r) : [];
        // What the registry check replays (roles, tokens, settings, exceptions, custody) carries its agent, credential
        // and time, as it was recorded; a credential's issue only where it made the record.
        const registry =
          REGISTRY_ACTIONS.has(r.action) &&
          (r.action !== 'credential.issued' || (r.details as { record?: unknown } | null)?.record !== undefined);
        const ids = registry
          ? {
              occurredAt: r.occurredAt.toISOString(),
              recordedAt: r.recordedAt.toISOString(),
              agentId: r.agentId,
              credentialId: r.credentialId,
            }
          : {};
        if (registry || concernsRedaction(r.action, redacted) || ARCHIVE_ACTIONS.has(r.action)) {
          carried.push({ seq: r.seq, action: r.action, actorId: r.actorId, details: r.details, redacted, ...ids });
        }
      }
      if (count === 0) headIn = rows[0]!.prevHash;
      headOut = rows[rows.length - 1]!.hash;
      count += rows.length;
      after = rows[rows.length - 1]!.seq;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { count, headIn, headOut, sha256: hash.digest('hex'), carried };
}

/**
 * Loads an archive file into `table`, reading it once: hashes its bytes, and recomputes each row's hash and its link
 * to the one before (from `headIn`). Names the first row that does not hold.
 */
async function loadEvents(tx: Tx, table: string, file: string, headIn: string) {
  const hash = createHash('sha256');
  let batch: string[] = [];
  let count = 0;
  let prev = headIn;
  let lastSeq = 0n;
  let problem: string | null = null;
  const flush = async () => {
    if (batch.length === 0) return;
    await tx.$executeRawUnsafe(
      `INSERT INTO ${ident(table)} SELECT * FROM json_populate_recordset(NULL::"AuditEvent", $1::json)`,
      `[${batch.join(',')}]`,
    );
    batch = [];
  };
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) {
    hash.update(`${line}\n`);
    if (problem) continue;
    const row = parseRow(line);
    if (!row) problem = `line ${count + 1} is not an archived event`;
    else if (row.seq !== lastSeq + 1n && count > 0) problem = `line ${count + 1} is event ${row.seq}, out of order`;
    else if (row.prevHash !== prev) problem = `event ${row.seq} does not follow the event before it`;
    else if (hashEvent(row.prevHash, row) !== row.hash) problem = `event ${row.seq} does not match its hash`;
    if (problem || !row) continue;
    prev = row.hash;
    lastSeq = row.seq;
    count += 1;
    batch.push(line);
    if (batch.length === 5_000) await flush();
  }
  await flush();
  return { sha256: hash.digest('hex'), count, headOut: prev, lastSeq, problem };
}

const archivedRow = z.object({
  seq: z.union([z.number().int().positive(), seqText]).transform((v) => BigInt(v)),
  occurredAt: z.string().transform((v) => new Date(v)),
  recordedAt: z.string().transform((v) => new Date(v)),
  actorType: z.string(),
  actorId: z.string().nullable(),
  agentId: z.string().nullable(),
  credentialId: z.string().nullable(),
  action: z.string(),
  details: z.unknown(),
  owners: z.unknown(),
  prevHash: hex64,
  hash: hex64,
  format: z.number().int(),
  digests: z.unknown(),
});

function parseRow(line: string) {
  try {
    const row = archivedRow.safeParse(JSON.parse(line));
    return row.success ? row.data : null;
  } catch {
    return null;
  }
}

/** Writes and syncs `text` (the caller renames it into place once the archive commits). */
async function writeDurably(file: string, text: string) {
  const handle = await open(file, 'w');
  try {
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
