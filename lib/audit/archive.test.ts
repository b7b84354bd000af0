// The timeline partitioned by seq range, and a range archived (exported with a signed manifest, dropped) and
// restored: verification accepts a missing range only where a signed manifest covers exactly it. Partitions of ten
// seqs here (the default is ten million); the chain: seq 1–25 one event a transaction, a checkpoint at 25.
import { mkdtempSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { withOwnerDb } from '@/lib/db/owner';
import { decideException, requestException } from '@/lib/exceptions/commands';
import { makeAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { appendNotes, useNarrowPartitions } from '@/lib/testing/partitions';
import { createPerson } from '@/lib/testing/people';
import { grantRole } from '@/lib/users/commands';
import { archivedRanges, archivePartition, restoreArchive, type ArchiveManifest } from './archive';
import { registryDrift } from './drift';
import { signCheckpoint } from './integrity';
import { ensurePartitionsAhead, keepPartitionsAhead, listPartitions } from './partitions';
import { archiveStatement, loadSigningKey, signStatement, trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';

const dir = mkdtempSync(path.join(tmpdir(), 'audit-archive-'));
const fileOf = (partition: string) => path.join(dir, `${partition}.ndjson`);
const verify = () => verifyAuditChain(getDb(), { keys: trustedPublicKeys() });
const archive = (which: string) => withOwnerDb((db) => archivePartition(db, which, dir));
const restore = (file: string) => withOwnerDb((db) => restoreArchive(db, file));
const partitionName = (from: number) => `AuditEvent_${String(from).padStart(19, '0')}`;
/** The columns of a partition that ANALYZE still samples, of those it need not (their statistics target is 0). */
const analyzedNeedlessly = async (partition: string) =>
  (
    await getDb().$queryRaw<{ attname: string }[]>`
      SELECT "attname" FROM pg_attribute WHERE "attrelid" = ${`"${partition}"`}::regclass
        AND "attname" IN ('details', 'owners', 'digests', 'salts', 'hash', 'prevHash')
        AND "attstattarget" IS DISTINCT FROM 0`
  ).map((a) => a.attname);
beforeAll(async () => {
  await useNarrowPartitions(10n);
  // The first events make an agent and its credential and put an exception in force, and seq 6 grants a role: once
  // their range is archived, the registry check still finds them (the manifest carries them).
  const lead = await createPerson(['ADMIN']);
  const agent = await makeAgent(lead, { ownerId: lead.id });
  await issueCredential(lead, {
    agentId: agent.id,
    name: 'archived-key',
    kind: 'API_KEY',
    issuance: 'STATIC',
    storage: 'VAULT_OR_BROKER',
    secretRef: 'vault:kv/prod/archived-key',
    environment: 'PROD',
  });
  const { id: exceptionId } = await requestException(lead, {
    agentId: agent.id,
    type: 'BROAD_SCOPE',
    noCredentialReason: 'A console session',
    justification: 'Migration weekend',
    durationHours: 24,
  });
  await decideException(await createPerson(['PAM_APPROVER']), {
    exceptionId,
    outcome: 'APPROVE',
    reason: 'Approved for the migration',
  });
  const { seq } = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  if (seq > 5n) throw new Error(`the setup wrote ${seq} events before the grant; the test expects 5`);
  await appendNotes(5 - Number(seq), 'event');
  const person = await createPerson([], { name: 'Archived Grant' });
  await grantRole(lead, { userId: person.id, role: 'AUDITOR', version: person.version });
  await appendNotes(19, 'after');
  await signCheckpoint();
});

describe('the timeline partitioned by seq range', () => {
  it('keeps partitions ahead of the head, each guarded against TRUNCATE and DELETE even by the owner', async () => {
    const partitions = await listPartitions(getDb());
    expect(partitions.slice(0, 3).map((p) => [p.name, p.fromSeq, p.toSeq])).toEqual([
      [partitionName(1), 1n, 10n],
      [partitionName(11), 11n, 20n],
      [partitionName(21), 21n, 30n],
    ]);
    expect(partitions.at(-1)!.toSeq).toBeGreaterThanOrEqual(25n + 2n * 10n);
    // The owner's command is idempotent: nothing more is needed yet.
    expect(await withOwnerDb((db) => ensurePartitionsAhead(db))).toBe(0);
    await expect(asOwner(`TRUNCATE "${partitionName(11)}"`)).rejects.toThrow(/append-only; TRUNCATE is refused/);
    await expect(asOwner(`DELETE FROM "${partitionName(11)}"`)).rejects.toThrow(/append-only; DELETE is refused/);
    await expect(asOwner(`UPDATE "${partitionName(11)}" SET "action" = 'x'`)).rejects.toThrow(/append-only/);
    expect(await getDb().auditEvent.count()).toBe(25);
    // Each, those made ahead too, spares ANALYZE the JSON and the hashes.
    for (const p of partitions) expect(await analyzedNeedlessly(p.name)).toEqual([]);
  });

  it('a range missing without an archive manifest fails verification where it begins', async () => {
    await asOwner(`ALTER TABLE "AuditEvent" DETACH PARTITION "${partitionName(11)}"`);
    expect(await verify()).toMatchObject({ ok: false, brokenSeq: 11n, reason: 'event 11 is missing' });
    await asOwner(`ALTER TABLE "AuditEvent" ATTACH PARTITION "${partitionName(11)}" FOR VALUES FROM (11) TO (21)`);
    expect(await verify()).toMatchObject({ ok: true, archived: [], eventCount: 25 });
  });

  it('archives only a full range below the head', async () => {
    await expect(archive('25')).rejects.toThrow(/beyond the chain head \(seq 25\)/);
    await expect(archive('AuditEvent_nope')).rejects.toThrow(/No partition is named AuditEvent_nope/);
    expect(await archivedRanges(getDb())).toEqual([]);
  });
});

describe('archiving and restoring a range', () => {
  let first: ArchiveManifest;

  it('archives two ranges; the chain verifies across them, vouched for by their signed manifests', async () => {
    first = await archive('1');
    expect(first).toMatchObject({ partition: partitionName(1), fromSeq: '1', toSeq: '10', count: 10 });
    const second = await archive(partitionName(11));
    expect(second).toMatchObject({ fromSeq: '11', toSeq: '20', count: 10, headIn: first.headOut });
    expect(await getDb().auditEvent.count({ where: { seq: { lte: 20n } } })).toBe(0);
    expect((await listPartitions(getDb())).map((p) => p.fromSeq)).not.toContain(1n);
    expect((await readFile(fileOf(partitionName(1)), 'utf8')).trim().split('\n')).toHaveLength(10);

    const result = await verify();
    expect(result).toMatchObject({
      ok: true,
      archived: [
        { fromSeq: 1n, toSeq: 10n },
        { fromSeq: 11n, toSeq: 20n },
      ],
      eventCount: 7, // 21–25, and the two archive events
      signed: true,
    });
    expect((await archivedRanges(getDb())).map((a) => [a.fromSeq, a.toSeq])).toEqual([
      [1n, 10n],
      [11n, 20n],
    ]);
    // The grant at seq 6 is gone from the timeline, not from the registry's record.
    expect(await getDb().auditEvent.count({ where: { action: 'role.granted' } })).toBe(0);
    expect(await getDb().auditEvent.count({ where: { action: { startsWith: 'exception.' } } })).toBe(0);
    // (The people this file made by hand show as they do anywhere; the grant and the exception do not.)
    const drift = await registryDrift(getDb());
    const kinds = ['exception', 'agent', 'credential'];
    expect(drift.filter((d) => kinds.includes(d.kind) || d.subject === 'Archived Grant')).toEqual([]);
    // With no check on the chain yet it is walked from its start, across the archived ranges by their manifests.
    expect(drift.filter((d) => d.kind === 'event')).toEqual([]);
    const events = await getDb().auditEvent.findMany({ where: { action: 'audit.archived' }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.details)).toMatchObject([
      { fromSeq: '1', toSeq: '10', count: 10 },
      { fromSeq: '11', toSeq: '20', count: 10 },
    ]);
  });

  it('a manifest that is forged, or does not cover exactly the gap, does not excuse it', async () => {
    const row = await getDb().auditArchive.findFirstOrThrow({ where: { fromSeq: 11n } });
    const forge = (changes: Record<string, string>) =>
      asOwner(
        'ALTER TABLE "AuditArchive" DISABLE TRIGGER USER',
        `DELETE FROM "AuditArchive" WHERE "id" IN ('${row.id}', 'forged')`,
        `INSERT INTO "AuditArchive" ("id", "partition", "fromSeq", "toSeq", "count", "headIn", "headOut",
           "fileSha256", "eventSeq", "carried", "archivedAt", "keyId", "signature")
         VALUES ('${changes.id ?? row.id}', '${row.partition}', ${changes.fromSeq ?? row.fromSeq},
           ${changes.toSeq ?? row.toSeq}, ${row.count}, '${row.headIn}', '${row.headOut}', '${row.fileSha256}',
           ${changes.eventSeq ?? row.eventSeq}, '${row.carried}', '${row.archivedAt.toISOString()}', '${row.keyId}',
           '${changes.signature ?? row.signature}')`,
        'ALTER TABLE "AuditArchive" ENABLE TRIGGER USER',
      );
    const put = () =>
      asOwner(
        'ALTER TABLE "AuditArchive" DISABLE TRIGGER USER',
        `DELETE FROM "AuditArchive" WHERE "id" IN ('${row.id}', 'forged')`,
        `INSERT INTO "AuditArchive" SELECT * FROM json_populate_record(NULL::"AuditArchive", '${JSON.stringify({
          ...row,
          fromSeq: Number(row.fromSeq),
          toSeq: Number(row.toSeq),
          eventSeq: Number(row.eventSeq),
        }).replace(/'/g, "''")}')`,
        'ALTER TABLE "AuditArchive" ENABLE TRIGGER USER',
      );

    await forge({ signature: Buffer.alloc(64).toString('base64') });
    expect(await verify()).toMatchObject({
      ok: false,
      brokenSeq: 11n,
      reason: expect.stringMatching(/event 11 is missing: the archive manifest .* signature that does not hold/),
    });
    // A manifest for 11–19 (its signature then covers other fields, so it cannot hold either).
    await forge({ toSeq: '19' });
    expect(await verify()).toMatchObject({ ok: false, brokenSeq: 11n });
    // A manifest naming another event as its record (its signature then cannot hold either), and the same manifest
    // row under another id: its audit.archived record names the real one.
    await forge({ eventSeq: '5' });
    expect(await verify()).toMatchObject({ ok: false, brokenSeq: 11n });
    await forge({ id: 'forged' });
    expect(await verify()).toMatchObject({ ok: false, brokenSeq: 11n });
    // Without the manifest row: the gap is missing events.
    await asOwner(
      'ALTER TABLE "AuditArchive" DISABLE TRIGGER USER',
      `DELETE FROM "AuditArchive" WHERE "id" = 'forged'`,
      'ALTER TABLE "AuditArchive" ENABLE TRIGGER USER',
    );
    expect(await verify()).toMatchObject({ ok: false, brokenSeq: 11n, reason: 'event 11 is missing' });
    // Without the key, a manifest is not taken on trust.
    await put();
    expect(await verifyAuditChain(getDb())).toMatchObject({
      ok: false,
      brokenSeq: 1n,
      reason: expect.stringMatching(/cannot be checked without the audit public key/),
    });
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('an earlier release’s archive, carrying no rotations, leaves a last rotation in it to the baseline', async () => {
    const row = await getDb().auditArchive.findFirstOrThrow({ where: { fromSeq: 1n } });
    // As that release carried the range's registry events, and signed them: without when each happened.
    const items = JSON.parse(row.carried) as Record<string, unknown>[];
    const carried = JSON.stringify(items.map(({ occurredAt: _occurred, ...item }) => item));
    const swap = (text: string, signature: string) =>
      asOwner(
        'ALTER TABLE "AuditArchive" DISABLE TRIGGER USER',
        `UPDATE "AuditArchive" SET "carried" = '${text.replace(/'/g, "''")}', "signature" = '${signature}'
         WHERE "id" = '${row.id}'`,
        'ALTER TABLE "AuditArchive" ENABLE TRIGGER USER',
      );
    await swap(carried, signStatement(loadSigningKey()!, archiveStatement({ ...row, carried })));
    const key = await getDb().credential.findFirstOrThrow({ where: { name: 'archived-key' } });
    try {
      expect((await registryDrift(getDb())).filter((d) => d.id === key.id)).toEqual([
        expect.objectContaining({
          unrecorded: true,
          problem: 'its last rotation is in no record this release can read (archived by an earlier one)',
        }),
      ]);
    } finally {
      await swap(row.carried, row.signature);
    }
    expect((await registryDrift(getDb())).filter((d) => d.id === key.id)).toEqual([]);
  });

  it('restore refuses a file that is not the archived one, and a manifest whose signature does not hold', async () => {
    const file = fileOf(partitionName(11));
    const original = await readFile(file, 'utf8');
    await writeFile(file, original.replace('after 6', 'after 99'));
    await expect(restore(file)).rejects.toThrow(/is not the archived file: its SHA-256 is/);
    await writeFile(file, original);
    const manifestFile = file.replace(/\.ndjson$/, '.manifest.json');
    const manifest = await readFile(manifestFile, 'utf8');
    await writeFile(manifestFile, manifest.replace('"count": 10', '"count": 9'));
    await expect(restore(file)).rejects.toThrow(/signature does not hold for a trusted key/);
    await writeFile(manifestFile, manifest);
    expect(await getDb().auditEvent.count({ where: { seq: { lte: 20n } } })).toBe(0);
  });

  it('restores both ranges; every event is back and the chain verifies with nothing archived', async () => {
    await restore(fileOf(partitionName(11)));
    expect(await verify()).toMatchObject({ ok: true, archived: [{ fromSeq: 1n, toSeq: 10n }] });
    await expect(restore(fileOf(partitionName(11)))).rejects.toThrow(/are in the database: there is nothing/);
    await restore(fileOf(partitionName(1)));
    const result = await verify();
    expect(result).toMatchObject({ ok: true, archived: [], eventCount: 29, signed: true });
    expect(await archivedRanges(getDb())).toEqual([]);
    expect(await getDb().auditEvent.findUniqueOrThrow({ where: { seq: 13n } })).toMatchObject({
      details: { note: 'after 6' },
    });
    // A restored partition is guarded as the others are.
    await expect(asOwner(`TRUNCATE "${partitionName(1)}"`)).rejects.toThrow(/append-only; TRUNCATE is refused/);
    await expect(asOwner(`DELETE FROM "${partitionName(1)}"`)).rejects.toThrow(/append-only; DELETE is refused/);
    expect(await analyzedNeedlessly(partitionName(1))).toEqual([]);
  });

  it('a restored range dropped again is not excused by its old manifest, even with its restore archived', async () => {
    // The restore records (seqs 28 and 29) go into the archive of 21–30, whose manifest carries them.
    await appendNotes(3);
    const carrying = await archive('21');
    expect(carrying.carried).toMatch(/"audit.restored"/);
    await asOwner(
      `ALTER TABLE "AuditEvent" DETACH PARTITION "${partitionName(11)}"`,
      `DROP TABLE "${partitionName(11)}"`,
    );
    expect(await verify()).toMatchObject({
      ok: false,
      brokenSeq: 11n,
      reason: 'event 11 is missing: events 11 to 20 were restored from their archive, and are gone again',
    });
  });

  it('the application role pushing the head to the last partition gets two more, and the jump is named', async () => {
    // The application may append and move the head (through its owner's function) and keep partitions ahead; it
    // cannot make partitions without bound by pushing the head, nor hide the seqs it jumped over.
    const last = (await listPartitions(getDb())).at(-1)!;
    const hash = 'c'.repeat(64);
    await getDb().$executeRaw`
      INSERT INTO "AuditEvent" ("seq", "occurredAt", "recordedAt", "actorType", "action", "details", "prevHash", "hash")
      VALUES (${last.toSeq}, now(), now(), 'SYSTEM', 'system.note', '{}', ${hash}, ${hash})`;
    await getDb().$executeRaw`SELECT custodian_advance_head(${last.toSeq}::bigint, ${hash}::char(64))`;
    expect(await keepPartitionsAhead(getDb())).toBe(2);
    expect(await keepPartitionsAhead(getDb())).toBe(0);
    expect((await listPartitions(getDb())).at(-1)!.toSeq).toBe(last.toSeq + 20n);
    const result = await verify();
    expect(result).toMatchObject({ ok: false });
    expect(result.ok ? null : result.brokenSeq).toBeLessThan(last.toSeq);
  });
});
