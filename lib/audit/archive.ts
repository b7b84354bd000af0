import 'server-only';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Db } from '@/lib/db';
import { Conflict, Invalid } from '@/lib/errors';
import { appendAuditEvent, SYSTEM_ACTOR } from './append';
import { listPartitions, type Partition } from './partitions';
import { archiveSignatureHolds, archiveStatement, loadSigningKey, signStatement, trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';

// Archiving moves a closed range of the timeline out of the database and keeps the chain provable: the range is
// written to NDJSON (one row per line, as PostgreSQL renders it), a manifest signed with the audit key names the
// chain hash going in and coming out, the count and the file's SHA-256, and only then is the partition detached and
// dropped. Verification accepts the gap only where such a manifest covers exactly it; a restore reattaches the rows
// after checking the file against its signed manifest.

export const MANIFEST_FORMAT = 'custodian.audit.archive.v1';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const seqText = z.string().regex(/^[1-9]\d{0,18}$/);
const manifestSchema = z.object({
  format: z.literal(MANIFEST_FORMAT),
  partition: z.string().regex(/^AuditEvent_\d{19}$/),
  fromSeq: seqText,
  toSeq: seqText,
  count: z.number().int().positive(),
  headIn: hex64,
  headOut: hex64,
  fileSha256: hex64,
  archivedAt: z.iso.datetime(),
  keyId: z.string().min(1),
  signature: z.string().min(1),
});
export type ArchiveManifest = z.infer<typeof manifestSchema>;

const filesOf = (dir: string, partition: string) => ({
  events: path.join(dir, `${partition}.ndjson`),
  manifest: path.join(dir, `${partition}.manifest.json`),
});

/**
 * Archives one partition (by name, or the one holding `seq`) into `dir`, as the owner. Only a full range below the
 * chain head is archived, and only after the chain verifies through it with the trusted keys: a signed manifest over
 * a changed range would launder the change.
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
  const verification = await verifyAuditChain(db, { keys: trustedPublicKeys() });
  if (!verification.ok || verification.verifiedThroughSeq < partition.toSeq) {
    throw new Conflict(
      `The chain does not verify through seq ${partition.toSeq}` +
        (verification.ok ? '.' : `: ${verification.reason} (seq ${verification.brokenSeq}).`) +
        ' Nothing was archived.',
    );
  }

  await mkdir(dir, { recursive: true });
  const files = filesOf(dir, partition.name);
  const written = await writeEvents(db, partition, `${files.events}.partial`);
  const expected = Number(partition.toSeq - partition.fromSeq + 1n);
  if (written.count !== expected) {
    throw new Conflict(`${partition.name} holds ${written.count} events where ${expected} were expected.`);
  }
  const archivedAt = new Date();
  const fields = {
    fromSeq: partition.fromSeq,
    toSeq: partition.toSeq,
    count: written.count,
    headIn: written.headIn,
    headOut: written.headOut,
    fileSha256: written.sha256,
    archivedAt,
  };
  const signature = signStatement(key, archiveStatement(fields));
  const manifest: ArchiveManifest = {
    format: MANIFEST_FORMAT,
    partition: partition.name,
    fromSeq: String(partition.fromSeq),
    toSeq: String(partition.toSeq),
    count: written.count,
    headIn: written.headIn,
    headOut: written.headOut,
    fileSha256: written.sha256,
    archivedAt: archivedAt.toISOString(),
    keyId: key.keyId,
    signature,
  };
  await writeDurably(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(`${files.events}.partial`, files.events);

  // The manifest row, the detach and the drop, and the timeline's record of it, together.
  await db.$transaction(
    async (tx) => {
      const row = await tx.auditArchive.create({
        data: { ...fields, partition: partition.name, keyId: key.keyId, signature },
      });
      await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DETACH PARTITION ${ident(partition.name)}`);
      await tx.$executeRawUnsafe(`DROP TABLE ${ident(partition.name)}`);
      await appendAuditEvent(tx, {
        action: 'audit.archived',
        actor: SYSTEM_ACTOR,
        details: {
          archiveId: row.id,
          fromSeq: manifest.fromSeq,
          toSeq: manifest.toSeq,
          count: manifest.count,
          fileSha256: manifest.fileSha256,
        },
      });
    },
    { timeout: 600_000 },
  );
  return manifest;
}

/**
 * Restores an archived range from its NDJSON file and the manifest beside it, as the owner: the manifest's signature
 * must hold for a trusted key, the file must be the one it names, and the range must be missing.
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
  const sha256 = await fileSha256(eventsFile);
  if (sha256 !== manifest.fileSha256) {
    throw new Invalid(`${eventsFile} is not the archived file: its SHA-256 is ${sha256}, the manifest names another.`);
  }
  const [fromSeq, toSeq] = [BigInt(manifest.fromSeq), BigInt(manifest.toSeq)];
  if ((await listPartitions(db)).some((p) => p.fromSeq <= toSeq && p.toSeq >= fromSeq)) {
    throw new Conflict(`Seqs ${fromSeq} to ${toSeq} are in the database: there is nothing to restore.`);
  }

  const name = ident(manifest.partition);
  await db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`CREATE TABLE ${name} (LIKE "AuditEvent" INCLUDING DEFAULTS)`);
      let batch: string[] = [];
      const flush = async () => {
        if (batch.length === 0) return;
        await tx.$executeRawUnsafe(
          `INSERT INTO ${name} SELECT * FROM json_populate_recordset(NULL::"AuditEvent", $1::json)`,
          `[${batch.join(',')}]`,
        );
        batch = [];
      };
      for await (const line of createInterface({ input: createReadStream(eventsFile), crlfDelay: Infinity })) {
        if (line.length === 0) continue;
        batch.push(line);
        if (batch.length === 5_000) await flush();
      }
      await flush();
      const [range] = await tx.$queryRawUnsafe<{ n: number; first: string | null; last: string | null }[]>(
        `SELECT count(*)::int AS "n",
           (SELECT "prevHash" FROM ${name} ORDER BY "seq" LIMIT 1) AS "first",
           (SELECT "hash" FROM ${name} ORDER BY "seq" DESC LIMIT 1) AS "last" FROM ${name}`,
      );
      if (range?.n !== manifest.count || range.first !== manifest.headIn || range.last !== manifest.headOut) {
        throw new Invalid(`${eventsFile} does not hold the range its manifest describes.`);
      }
      await tx.$executeRawUnsafe(
        `ALTER TABLE "AuditEvent" ATTACH PARTITION ${name} FOR VALUES FROM (${fromSeq}) TO (${toSeq + 1n})`,
      );
      await tx.$executeRawUnsafe(`SELECT custodian_audit_guard_partition('${name}'::regclass)`);
      const archive = await tx.auditArchive.findFirst({
        where: { fromSeq, toSeq, signature: manifest.signature },
        select: { id: true },
      });
      await appendAuditEvent(tx, {
        action: 'audit.restored',
        actor: SYSTEM_ACTOR,
        details: {
          archiveId: archive?.id ?? null,
          fromSeq: manifest.fromSeq,
          toSeq: manifest.toSeq,
          count: manifest.count,
          fileSha256: manifest.fileSha256,
        },
      });
    },
    { timeout: 600_000 },
  );
  return manifest;
}

/** The ranges archived and not restored, oldest first, for the timeline. */
export async function archivedRanges(db: Db) {
  return db.$queryRaw<{ fromSeq: bigint; toSeq: bigint; count: number; archivedAt: Date }[]>`
    SELECT DISTINCT ON (a."fromSeq") a."fromSeq", a."toSeq", a."count", a."archivedAt"
    FROM "AuditArchive" a
    WHERE NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."seq" = a."fromSeq")
    ORDER BY a."fromSeq", a."archivedAt" DESC`;
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

/** Writes the partition's rows, in seq order, one JSON object per line; returns the count, hashes and SHA-256. */
async function writeEvents(db: Db, partition: Partition, file: string) {
  const hash = createHash('sha256');
  const handle = await open(file, 'w');
  let count = 0;
  let headIn = '';
  let headOut = '';
  try {
    for (let after = partition.fromSeq - 1n; ;) {
      const rows = await db.$queryRaw<{ seq: bigint; prevHash: string; hash: string; line: string }[]>`
        SELECT e."seq", e."prevHash", e."hash", row_to_json(e)::text AS "line" FROM "AuditEvent" e
        WHERE e."seq" > ${after} AND e."seq" <= ${partition.toSeq} ORDER BY e."seq" LIMIT 5000`;
      if (rows.length === 0) break;
      const text = rows.map((r) => `${r.line}\n`).join('');
      hash.update(text);
      await handle.write(text);
      if (count === 0) headIn = rows[0]!.prevHash;
      headOut = rows[rows.length - 1]!.hash;
      count += rows.length;
      after = rows[rows.length - 1]!.seq;
    }
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { count, headIn, headOut, sha256: hash.digest('hex') };
}

async function writeDurably(file: string, text: string) {
  const handle = await open(`${file}.partial`, 'w');
  try {
    await handle.write(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(`${file}.partial`, file);
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;
