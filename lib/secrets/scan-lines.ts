import 'server-only';
import type { Actor } from '@/lib/authz';
import { Invalid } from '@/lib/errors';
import { assertNoSecrets, stringsOf } from './read-input';

/**
 * A file's entries scanned for secrets before anything is planned: one is an alarm, and the whole file is refused,
 * each field named by its line (`line 12.description`). Entries go in chunks under the scan's limit of values a call.
 */
export async function scanByLine(actor: Actor, entries: { line: number; spec: unknown }[]): Promise<void> {
  const LIMIT = 15_000;
  let chunk: { line: number; spec: unknown }[] = [];
  let values = 0;
  const scan = async () => {
    try {
      await assertNoSecrets(
        chunk.map((e) => e.spec),
        actor,
      );
    } catch (error) {
      if (!(error instanceof Invalid)) throw error;
      const lineOf = (field: string) => field.replace(/^(\d+)/, (i) => `line ${chunk[Number(i)]?.line ?? '?'}`);
      throw new Invalid(
        error.message,
        Object.fromEntries(Object.entries(error.fieldErrors).map(([field, m]) => [lineOf(field), m])),
      );
    }
    chunk = [];
    values = 0;
  };
  for (const entry of entries) {
    const count = stringsOf(entry.spec).length; // throws for one entry too large or deep to scan
    if (values + count > LIMIT) await scan();
    chunk.push(entry);
    values += count;
  }
  if (chunk.length > 0) await scan();
}
