import 'server-only';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { Invalid } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import { assertNoSecrets } from '@/lib/secrets/read-input';
import { appendAuditEvent } from './append';
import { toJson } from './canonical';
import { fieldsOf } from './fields';
import { signCheckpoint } from './integrity';
import { buildPackZip, PACK_FORMAT, type PackedEvent, type PackRedaction } from './pack-format';
import { eventSelect, resolveTimelineFilter, timelineWhere, type TimelineQuery } from './queries';
import { loadSigningKey } from './signing';
import { isTombstone } from './tombstone';

const MAX_SEGMENT = 200_000;
// What recomputing a hash needs: in chain format 2 the field digests, and the salts that tie the values to them.
const packSelect = { ...eventSelect, format: true, digests: true, salts: true } satisfies Prisma.AuditEventSelect;
const packed = (e: Prisma.AuditEventGetPayload<{ select: typeof packSelect }>): PackedEvent => ({
  ...e,
  seq: e.seq.toString(),
  occurredAt: e.occurredAt.toISOString(),
  recordedAt: e.recordedAt.toISOString(),
});

/**
 * The redactions the segment shows, each with the `audit.redacted` event that records it. Custodian signs no pack
 * with a tombstone the timeline does not record (a value removed around it): verification names that one.
 */
async function recordedRedactions(segment: { seq: bigint; details: unknown }[]): Promise<PackRedaction[]> {
  const shown = segment.flatMap((e) =>
    fieldsOf(toJson(e.details)).flatMap(([pointer, value]) =>
      isTombstone(value) ? [{ seq: e.seq, pointer, id: value.$redacted }] : [],
    ),
  );
  if (shown.length === 0) return [];
  const db = getDb();
  const [rows, events] = await Promise.all([
    db.auditRedaction.findMany({ where: { id: { in: shown.map((r) => r.id) } } }),
    db.auditEvent.findMany({
      where: { action: 'audit.redacted', OR: shown.map((r) => ({ details: { path: ['redactionId'], equals: r.id } })) },
      select: { seq: true, hash: true, details: true },
    }),
  ]);
  return shown.map((r) => {
    const row = rows.find((x) => x.id === r.id && x.seq === r.seq && x.pointer === r.pointer);
    const recorded = events.find((e) => {
      const d = e.details as { redactionId?: string; seq?: string; pointer?: string };
      return d.redactionId === r.id && d.seq === r.seq.toString() && d.pointer === r.pointer;
    });
    if (!row || !recorded) {
      throw new Invalid(
        `Event ${r.seq} shows field ${r.pointer} as redacted, but the timeline records no such redaction: ` +
          'verify the chain before exporting.',
      );
    }
    return {
      id: r.id,
      seq: r.seq.toString(),
      pointer: r.pointer,
      changeRequestId: row.changeRequestId,
      redactedAt: row.redactedAt.toISOString(),
      recordedAt: { seq: recorded.seq.toString(), hash: recorded.hash },
    };
  });
}

/**
 * An evidence pack for the filter (an agent, a period, …): the matching
 * events, the chain segment from the first of them to a signed checkpoint
 * (signed now if none covers them yet), a manifest and a readable summary.
 * The segment carries every event in that stretch of the chain, since
 * recomputing the hashes needs their contents.
 */
export async function buildEvidencePack(
  actor: Actor | null,
  query: TimelineQuery,
): Promise<{ zip: Uint8Array; filename: string }> {
  requirePermission(actor, 'audit.export');
  const db = getDb();
  const filter = await resolveTimelineFilter(db, query);
  // The filter is recorded on the timeline: a secret pasted into it is refused like any other input.
  await assertNoSecrets(query, actor);
  const filterRecord = Object.fromEntries(
    Object.entries(query).filter(([k, v]) => v !== undefined && k !== 'size' && k !== 'before'),
  );
  const head = await db.auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
  // Which events match; their contents come with the segment, which holds every one of them.
  const matching = await db.auditEvent.findMany({
    where: timelineWhere(filter, { lte: head.seq }),
    orderBy: { seq: 'asc' },
    take: MAX_SEGMENT + 1,
    select: { seq: true, occurredAt: true, prevHash: true },
  });
  if (matching.length === 0) throw new Invalid('No event matches this filter: there is nothing to pack.');
  if (matching.length > MAX_SEGMENT)
    throw new Invalid(`More than ${MAX_SEGMENT.toLocaleString('en')} events match: narrow the period or the filter.`);
  const first = matching[0]!;
  const last = matching[matching.length - 1]!;

  let checkpoint = await db.auditCheckpoint.findFirst({ where: { seq: { gte: last.seq } }, orderBy: { seq: 'asc' } });
  if (!checkpoint && (await signCheckpoint({ type: 'USER', id: actor.id }))) {
    checkpoint = await db.auditCheckpoint.findFirst({ where: { seq: { gte: last.seq } }, orderBy: { seq: 'asc' } });
  }
  const segmentEnd = checkpoint?.seq ?? last.seq;
  if (segmentEnd - first.seq + 1n > BigInt(MAX_SEGMENT)) {
    throw new Invalid(
      `The chain from the first matching event to the covering checkpoint holds over ` +
        `${MAX_SEGMENT.toLocaleString('en')} events: narrow the period.`,
    );
  }
  const segment = await db.auditEvent.findMany({
    where: { seq: { gte: first.seq, lte: segmentEnd } },
    orderBy: { seq: 'asc' },
    select: packSelect,
  });
  const matched = new Set(matching.map((e) => e.seq));
  const events = segment.filter((e) => matched.has(e.seq));

  const redactions = await recordedRedactions(segment);

  const generatedAt = new Date();
  const byAction = new Map<string, number>();
  for (const e of events) byAction.set(e.action, (byAction.get(e.action) ?? 0) + 1);
  const summary = [
    '# Custodian evidence pack',
    '',
    `Generated ${generatedAt.toISOString()} by ${actor.name ?? actor.id}.`,
    `Filter: ${JSON.stringify(filterRecord)}.`,
    `Events: ${events.length}, seq ${first.seq} to ${last.seq}, ${first.occurredAt.toISOString()} to ` +
      `${last.occurredAt.toISOString()}.`,
    '',
    '## By action',
    '',
    ...[...byAction.entries()].sort().map(([action, n]) => `- ${action}: ${n}`),
    '',
    ...(redactions.length
      ? [
          '## Redacted fields',
          '',
          'These values were removed after a security lead asked and an auditor approved; each shows as',
          '`{"$redacted": <id>}` and the chain still verifies over its salted digest.',
          '',
          ...redactions.map((r) => `- event ${r.seq}, field \`${r.pointer}\`: ${r.id} (request ${r.changeRequestId})`),
          '',
        ]
      : []),
    '## Integrity',
    '',
    checkpoint
      ? `The chain segment seq ${first.seq}–${checkpoint.seq} ends at a checkpoint signed ` +
        `${checkpoint.signedAt.toISOString()} with key ${checkpoint.keyId}.`
      : 'No signing key is configured: the pack proves its contents and linkage, not the chain head.',
    '',
    'Check it offline: `npm run audit:verify -- --pack <this file> --public-key <the public key>`.',
    '',
  ].join('\n');
  const zip = buildPackZip(
    {
      format: PACK_FORMAT,
      generatedAt: generatedAt.toISOString(),
      generatedBy: actor.id,
      filter: filterRecord,
      counts: { events: events.length, segment: segment.length },
      firstSeq: first.seq.toString(),
      lastSeq: last.seq.toString(),
      segment: { fromSeq: first.seq.toString(), toSeq: segmentEnd.toString(), startPrevHash: first.prevHash },
      chainHead: { seq: head.seq.toString(), hash: head.hash },
      redactions,
      checkpoint: checkpoint
        ? {
            number: checkpoint.number.toString(),
            format: checkpoint.format,
            seq: checkpoint.seq.toString(),
            hash: checkpoint.hash,
            signedAt: checkpoint.signedAt.toISOString(),
            keyId: checkpoint.keyId,
            signature: checkpoint.signature,
          }
        : null,
    },
    events.map(packed),
    segment.map(packed),
    summary,
    loadSigningKey(),
  );
  await db.$transaction((tx) =>
    appendAuditEvent(tx, {
      action: 'audit.exported',
      actor: { type: 'USER', id: actor.id },
      details: { format: 'evidence-pack', filter: filterRecord, count: events.length },
    }),
  );
  return { zip, filename: `evidence-pack-${query.agent ?? 'custodian'}-${generatedAt.toISOString().slice(0, 10)}.zip` };
}
