// The timeline's partitions, as the database's owner (MIGRATION_DATABASE_URL; the application role may not):
//   npm run db:partitions                       lists them, and creates those ahead of the chain (idempotent: run it
//                                               daily; db:migrate also does)
//   npm run db:partitions -- --width 1000000    the same, new partitions that many seqs wide
//   npm run db:partitions -- --archive <partition name or a seq in it> [--out <dir>]
//                                               exports a full range below the head to <dir>/<partition>.ndjson with
//                                               a signed manifest beside it, then detaches and drops it
//   npm run db:partitions -- --restore <dir>/<partition>.ndjson
//                                               reattaches an archived range after checking it against its manifest
import { parseArgs } from 'node:util';
import { archivedRanges, archivePartition, restoreArchive } from '@/lib/audit/archive';
import { ensurePartitionsAhead, listPartitions } from '@/lib/audit/partitions';
import { withOwnerDb } from '@/lib/db/owner';
import { runScript } from '@/lib/db/run-script';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      width: { type: 'string' },
      archive: { type: 'string' },
      restore: { type: 'string' },
      out: { type: 'string', default: 'audit-archive' },
    },
  });
  if (values.width !== undefined && !/^[1-9]\d{0,15}$/.test(values.width)) {
    console.error(`--width is a whole number of seqs (1 or more), not "${values.width}".`);
    return 2;
  }
  return withOwnerDb(async (db) => {
    if (values.archive) {
      const m = await archivePartition(db, values.archive, values.out);
      console.log(
        `Archived ${m.partition}: events ${m.fromSeq} to ${m.toSeq} (${m.count}) to ` +
          `${values.out}/${m.partition}.ndjson (SHA-256 ${m.fileSha256}), manifest signed with key ${m.keyId}; ` +
          'the partition is dropped.',
      );
      return 0;
    }
    if (values.restore) {
      const m = await restoreArchive(db, values.restore);
      console.log(
        `Restored ${m.partition}: events ${m.fromSeq} to ${m.toSeq} (${m.count}), checked against its manifest.`,
      );
      return 0;
    }
    const created = await ensurePartitionsAhead(db, { width: values.width ? BigInt(values.width) : undefined });
    const head = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    console.log(`Chain head: seq ${head.seq}. Created ${created} partition(s) ahead.`);
    for (const p of await listPartitions(db)) console.log(`  ${p.name}  seqs ${p.fromSeq} to ${p.toSeq}`);
    for (const a of await archivedRanges(db)) {
      console.log(`  (archived)  seqs ${a.fromSeq} to ${a.toSeq}, ${a.count} events, ${a.archivedAt.toISOString()}`);
    }
    return 0;
  });
}

runScript(main);
