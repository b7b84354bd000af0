import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { csvLine } from '@/lib/csv';
import { getDb, readSource } from '@/lib/db';
import type { ActorType } from '@/lib/generated/prisma/enums';
import { assertNoSecrets } from '@/lib/secrets/read-input';
import { appendAuditEvent } from './append';
import { jsonString } from './canonical';
import {
  describeEvents,
  nameCache,
  resolveTimelineFilter,
  timelineCondition,
  type Described,
  type StoredEvent,
  type TimelineQuery,
} from './queries';
import { streamEvents, type RawEvent } from './stream';

export type ExportFormat = 'csv' | 'ndjson';

export const CSV_HEADER = [
  'seq',
  'occurred_at',
  'recorded_at',
  'action',
  'sentence',
  'actor_type',
  'actor_id',
  'agent_slug',
  'credential_id',
  'details',
  'owners',
  'prev_hash',
  'hash',
];

function csvRow(e: Described<StoredEvent>): string {
  return csvLine([
    e.seq,
    e.occurredAt.toISOString(),
    e.recordedAt.toISOString(),
    e.action,
    e.sentence,
    e.actorType,
    e.actorId ?? '',
    e.agent?.slug ?? '',
    e.credentialId ?? '',
    JSON.stringify(e.details),
    JSON.stringify(e.owners),
    e.prevHash,
    e.hash,
  ]);
}

/**
 * NDJSON is the stored event as hashed (JSON columns passed through as stored; in chain format 2 with the field
 * digests the hash covers and the salts that tie the values shown to them) and the agent's slug.
 */
function ndjsonRow(e: RawEvent): string {
  // Every text column quoted as JSON, times and hashes too: a column altered in the database cannot break the line.
  return (
    `{"seq":${jsonString(e.seq)},"occurredAt":${jsonString(e.occurredAt)}` +
    `,"recordedAt":${jsonString(e.recordedAt)},"action":${jsonString(e.action)}` +
    `,"actorType":${jsonString(e.actorType)},"actorId":${jsonString(e.actorId)},"agentId":${jsonString(e.agentId)}` +
    `,"credentialId":${jsonString(e.credentialId)},"details":${e.details},"owners":${e.owners ?? 'null'}` +
    `,"prevHash":${jsonString(e.prevHash)},"hash":${jsonString(e.hash)},"format":${Number(e.format)}` +
    `,"digests":${e.digests ?? 'null'},"salts":${e.salts ?? 'null'},"agentSlug":${jsonString(e.agentSlug)}}\n`
  );
}

function stored(e: RawEvent): StoredEvent {
  return {
    seq: BigInt(e.seq),
    occurredAt: new Date(e.occurredAt),
    recordedAt: new Date(e.recordedAt),
    action: e.action,
    actorType: e.actorType as ActorType,
    actorId: e.actorId,
    agentId: e.agentId,
    credentialId: e.credentialId,
    details: JSON.parse(e.details) as StoredEvent['details'],
    owners: e.owners === null ? null : (JSON.parse(e.owners) as StoredEvent['owners']),
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

/**
 * The filtered timeline as CSV (with sentences, for reading) or NDJSON (the
 * stored events, for machines), oldest first, streamed so memory stays flat
 * however many events match. It covers the chain up to the head as it was
 * when the export began, and ends with a trailer carrying that head (seq and
 * hash) so the export can be checked against a verification. Once complete,
 * the export itself goes on the timeline (`audit.exported`, with the filter
 * and the count).
 */
export async function exportTimeline(
  actor: Actor | null,
  query: TimelineQuery,
  format: ExportFormat,
): Promise<ReadableStream<Uint8Array>> {
  requirePermission(actor, 'audit.export');
  const { db } = await readSource();
  const filter = await resolveTimelineFilter(db, query);
  const head = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  // The filter is recorded on the timeline: a secret pasted into it is refused like any other input.
  await assertNoSecrets(query, actor);
  const filterRecord = Object.fromEntries(
    Object.entries(query).filter(([k, v]) => v !== undefined && k !== 'size' && k !== 'before'),
  );
  const batches = streamEvents(db, timelineCondition(filter, head.seq), {
    withSlug: true,
    batch: format === 'csv' ? 2_000 : 10_000,
  });
  const encoder = new TextEncoder();
  const names = nameCache();
  let count = 0;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (format === 'csv') controller.enqueue(encoder.encode(csvLine(CSV_HEADER)));
    },
    async pull(controller) {
      const next = await batches.next();
      if (!next.done) {
        count += next.value.length;
        const text =
          format === 'csv'
            ? (await describeEvents(db, next.value.map(stored), names)).map(csvRow).join('')
            : next.value.map(ndjsonRow).join('');
        controller.enqueue(encoder.encode(text));
        return;
      }
      const trailer = {
        chainHeadSeq: head.seq.toString(),
        chainHeadHash: head.hash,
        events: count,
        filter: filterRecord,
        exportedAt: new Date().toISOString(),
      };
      controller.enqueue(
        encoder.encode(
          format === 'csv'
            ? `# chain_head_seq=${trailer.chainHeadSeq} chain_head_hash=${trailer.chainHeadHash} events=${count}\r\n`
            : `${JSON.stringify({ trailer })}\n`,
        ),
      );
      // A write: on the primary, whichever server the events were read from.
      await getDb().$transaction((tx) =>
        appendAuditEvent(tx, {
          action: 'audit.exported',
          actor: { type: 'USER', id: actor.id },
          details: { format, filter: filterRecord, count },
        }),
      );
      controller.close();
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
