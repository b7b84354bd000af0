import type { Json } from '@/lib/audit/canonical';
import { fieldsOf, pointerPath } from '@/lib/audit/fields';

// What may be redacted: free text a leaked value could sit in — a reason, a note, a description — and nothing that
// says what happened or who decided: no id, kind, tier, status, owner or role, and no field of the record of a
// redaction, a role change or a redaction request. custodian_redact() enforces the same list.

const FREE_TEXT = new Set([
  'reason',
  'note',
  'notes',
  'description',
  'justification',
  'context',
  'noCredentialReason',
  'revokeReason',
  'decisionReason',
]);

/** The field a pointer names: its last key, or in a "changes" map (`/changes/description/to`) the field changed. */
export function fieldName(pointer: string): string {
  const path = pointerPath(pointer);
  const last = path.at(-1) ?? '';
  return (last === 'from' || last === 'to') && path.at(-3) === 'changes' ? (path.at(-2) ?? '') : last;
}

/** Why this field of this event may not be redacted, or null when it may. */
export function redactionRefusal(action: string, details: Json, pointer: string, value: Json): string | null {
  const kind = (details as { kind?: unknown } | null)?.kind;
  if (
    action === 'audit.redacted' ||
    action.startsWith('role.') ||
    (action.startsWith('change.') && kind === 'AUDIT_REDACTION')
  ) {
    return `a ${action} event records a decision: none of its fields is redacted`;
  }
  if (!FREE_TEXT.has(fieldName(pointer)) || typeof value !== 'string') {
    return `${pointer} records what happened: only free text (a reason, a note, a description) is redacted`;
  }
  return null;
}

/**
 * Why this field of a stored event cannot be redacted now, or null: the event must be format 2, the field still live
 * (it has its salt), and free text (redactionRefusal). The request command and the fields page both ask this.
 */
export function fieldRefusal(
  event: { seq: bigint; format: number; action: string; details: Json; salts: unknown },
  pointer: string,
): string | null {
  if (event.format < 2) {
    return (
      `Event #${event.seq} predates chain format 2: its hash covers its values, so redacting one would break the ` +
      'chain.'
    );
  }
  const salts = (event.salts ?? {}) as Record<string, unknown>;
  if (!(pointer in salts))
    return `Event #${event.seq} has no field ${pointer} that can be redacted (or it already is).`;
  const value = fieldsOf(event.details).find(([p]) => p === pointer)?.[1] ?? null;
  return redactionRefusal(event.action, event.details, pointer, value);
}

/** Whether a person's id appears anywhere in the value (an event's details or its owners snapshot). */
export function mentions(value: Json, id: string): boolean {
  if (value === id) return true;
  if (value === null || typeof value !== 'object') return false;
  return (Array.isArray(value) ? value : Object.values(value)).some((v) => mentions(v, id));
}
