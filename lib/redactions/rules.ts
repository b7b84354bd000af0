import type { Json } from '@/lib/audit/canonical';
import { pointerPath } from '@/lib/audit/fields';

// What may be redacted: free text that a leaked value could sit in. Never what says what happened and who decided —
// ids, kinds, roles, a redaction's own record, a role change — so a redaction cannot hide a decision or break the
// check that every tombstone has its approved `audit.redacted`. custodian_redact() enforces the same rule.

const NAMING_KEYS = new Set(['seq', 'pointer', 'kind', 'role', 'action']);

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
  const key = pointerPath(pointer).at(-1) ?? '';
  if (NAMING_KEYS.has(key) || /Ids?$/.test(key)) return `${pointer} names what happened: only free text is redacted`;
  if (typeof value !== 'string') return `${pointer} is not text: only free text is redacted`;
  return null;
}
