import 'server-only';
import type { Json } from '@/lib/audit/canonical';
import { fieldsOf } from '@/lib/audit/fields';
import { streamEvents } from '@/lib/audit/stream';
import type { Db } from '@/lib/db';
import { findSecrets } from '@/lib/secrets/scan';

/** A stored field the input guard would refuse today: where it is and which rule matched, never its value. */
export type StoredSecret = { seq: string; action: string; pointer: string; ruleId: string; redactable: boolean };

/**
 * Every field of the custody timeline that the input guard would now refuse (a rule added since it was written, or
 * a value that came in before the guard): to be redacted. Reads the chain in seq order, `onProgress` after each page.
 */
export async function scanStoredSecrets(
  db: Db,
  onProgress: (scannedThroughSeq: string, found: number) => void = () => {},
): Promise<StoredSecret[]> {
  const found: StoredSecret[] = [];
  for await (const page of streamEvents(db, 'true')) {
    const fields: { seq: string; action: string; pointer: string; value: string; redactable: boolean }[] = [];
    for (const event of page) {
      const salts = event.salts === null ? {} : (JSON.parse(event.salts) as Record<string, unknown>);
      for (const [pointer, value] of fieldsOf(JSON.parse(event.details) as Json)) {
        if (typeof value !== 'string' || value.length < 8) continue;
        fields.push({ seq: event.seq, action: event.action, pointer, value, redactable: pointer in salts });
      }
    }
    for (const { index, ruleId } of await findSecrets(fields.map((f) => f.value))) {
      const { value: _value, ...where } = fields[index]!;
      found.push({ ...where, ruleId });
    }
    if (page.length > 0) onProgress(page[page.length - 1]!.seq, found.length);
  }
  return found;
}
