import { appendAuditEvents, SYSTEM_ACTOR } from '@/lib/audit';
import { ensurePartitionsAhead } from '@/lib/audit/partitions';
import { getDb } from '@/lib/db';
import { withOwnerDb } from '@/lib/db/owner';
import { asOwner } from './owner';

/** A test file's empty timeline re-partitioned `width` seqs wide (the default is ten million), so ranges close. */
export async function useNarrowPartitions(width: bigint): Promise<void> {
  if ((await getDb().auditEvent.count()) > 0) throw new Error('Narrow partitions need an empty timeline.');
  await asOwner(
    `DO $$ DECLARE p regclass; BEGIN
       FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = '"AuditEvent"'::regclass LOOP
         EXECUTE format('DROP TABLE %s', p);
       END LOOP; END $$`,
  );
  await withOwnerDb((db) => ensurePartitionsAhead(db, { width, throughSeq: 10n * width }));
}

/** `n` notes, one a transaction (each head signed). */
export async function appendNotes(n: number, note = 'note'): Promise<void> {
  for (let i = 0; i < n; i++) {
    await getDb().$transaction((tx) =>
      appendAuditEvents(tx, [{ action: 'system.note', actor: SYSTEM_ACTOR, details: { note: `${note} ${i}` } }]),
    );
  }
}
