import 'server-only';
import { toJson } from '@/lib/audit/canonical';
import { fieldsOf } from '@/lib/audit/fields';
import { describeEvents, listedSelect, type TimelineEvent } from '@/lib/audit/queries';
import { isTombstone } from '@/lib/audit/tombstone';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { waitingFields } from './commands';
import { fieldRefusal } from './rules';

export type EventField = {
  pointer: string;
  /** The value as text (shortened); null once redacted. */
  value: string | null;
  redactionId: string | null;
  /** Whether a redaction may be asked for: live free text of a format-2 event that no pending request names. */
  redactable: boolean;
  waiting: boolean;
};

export type RedactionView = {
  event: TimelineEvent;
  format: number;
  fields: EventField[];
  redactions: { id: string; pointer: string; changeRequestId: string; redactedAt: Date }[];
};

const shown = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
};

/** One event with each field of its details: shown, redacted (and by which redaction), or waiting for a decision. */
export async function getRedactionView(actor: Actor, seqText: string | undefined): Promise<RedactionView | null> {
  requirePermission(actor, 'audit.read');
  if (!seqText || !/^[1-9][0-9]{0,18}$/.test(seqText)) return null;
  const seq = BigInt(seqText);
  if (seq > 9_223_372_036_854_775_807n) return null;
  const db = getDb();
  const event = await db.auditEvent.findUnique({
    where: { seq },
    select: { ...listedSelect, format: true, salts: true },
  });
  if (!event) return null;
  const { format, salts: saltColumn, ...stored } = event;
  const [[described], redactions, waiting] = await Promise.all([
    describeEvents(db, [stored]),
    db.auditRedaction.findMany({ where: { seq }, orderBy: { pointer: 'asc' } }),
    waitingFields(db, seq),
  ]);
  const details = toJson(event.details);
  const fields = fieldsOf(details).map(([pointer, value]): EventField => {
    const redactionId = isTombstone(value) ? value.$redacted : null;
    return {
      pointer,
      value: redactionId ? null : shown(value),
      redactionId,
      redactable:
        !waiting.has(pointer) && fieldRefusal({ ...event, seq, format, details, salts: saltColumn }, pointer) === null,
      waiting: waiting.has(pointer),
    };
  });
  return {
    event: described!,
    format,
    fields,
    redactions,
  };
}
