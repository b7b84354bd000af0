import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { csvLine } from '@/lib/http/csv';
import { appendAuditEvent } from './append';
import { describeEvents, resolveTimelineFilter, timelineWhere, type TimelineEvent, type TimelineQuery } from './queries';

export type ExportFormat = 'csv' | 'ndjson';
const BATCH = 2_000;

export const CSV_HEADER = ['seq', 'occurred_at', 'recorded_at', 'action', 'sentence', 'actor_type', 'actor_id', 'agent_slug', 'credential_id', 'details', 'owners', 'prev_hash', 'hash'];

function csvRow(e: TimelineEvent): string {
  return csvLine([e.seq, e.occurredAt.toISOString(), e.recordedAt.toISOString(), e.action, e.sentence, e.actorType, e.actorId ?? '', e.agent?.slug ?? '', e.credentialId ?? '', JSON.stringify(e.details), JSON.stringify(e.owners), e.prevHash, e.hash]);
}

function ndjsonRow(e: TimelineEvent): string {
  const { group: _group, actor: _actor, agent, credential: _credential, ...stored } = e;
  return `${JSON.stringify({ ...stored, agentSlug: agent?.slug ?? null })}\n`;
}

/**
 * The filtered timeline as CSV or NDJSON, oldest first, read a batch at a
 * time by keyset so memory stays flat however many events match. It covers
 * the chain up to the head as it was when the export began, and ends with a
 * trailer carrying that head (seq and hash) so the export can be checked
 * against a verification. Once complete, the export itself goes on the
 * timeline (`audit.exported`, with the filter and the count).
 */
export async function exportTimeline(actor: Actor | null, query: TimelineQuery, format: ExportFormat): Promise<ReadableStream<Uint8Array>> {
  requirePermission(actor, 'audit.export');
  const db = getDb();
  const filter = await resolveTimelineFilter(db, query);
  const head = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  const filterRecord = Object.fromEntries(Object.entries(query).filter(([k, v]) => v !== undefined && k !== 'size' && k !== 'before'));
  const encoder = new TextEncoder();
  let after = 0n;
  let count = 0;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (format === 'csv') controller.enqueue(encoder.encode(csvLine(CSV_HEADER)));
    },
    async pull(controller) {
      if (finished) return;
      const batch = await db.auditEvent.findMany({
        where: timelineWhere(filter, { gt: after, lte: head.seq }),
        orderBy: { seq: 'asc' },
        take: BATCH,
        select: { seq: true, occurredAt: true, recordedAt: true, action: true, actorType: true, actorId: true, agentId: true, credentialId: true, details: true, owners: true, prevHash: true, hash: true },
      });
      if (batch.length > 0) {
        after = batch[batch.length - 1]!.seq;
        count += batch.length;
        const rows = await describeEvents(db, batch);
        controller.enqueue(encoder.encode(rows.map(format === 'csv' ? csvRow : ndjsonRow).join('')));
      }
      if (batch.length < BATCH) {
        finished = true;
        const trailer = { chainHeadSeq: head.seq.toString(), chainHeadHash: head.hash, events: count, filter: filterRecord, exportedAt: new Date().toISOString() };
        controller.enqueue(
          encoder.encode(
            format === 'csv'
              ? `# chain_head_seq=${trailer.chainHeadSeq} chain_head_hash=${trailer.chainHeadHash} events=${count}\r\n`
              : `${JSON.stringify({ trailer })}\n`,
          ),
        );
        await db.$transaction((tx) =>
          appendAuditEvent(tx, { action: 'audit.exported', actor: { type: 'USER', id: actor.id }, details: { format, filter: filterRecord, count } }),
        );
        controller.close();
      }
    },
  });
}
