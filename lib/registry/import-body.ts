import { z } from 'zod';
import { parseInput } from '@/lib/errors';
import { MAX_ENTRIES, readAgentsCsv, readRegistryYaml, type Entry } from './spec';

export const IMPORT_BODY_LIMIT = 12 * 1024 * 1024;

/** The console's import: a file's text as uploaded, or the rows of an earlier check, some fixed or left out. */
const ImportBody = z.union(
  [
    z.object({ format: z.enum(['csv', 'yaml']), text: z.string().max(IMPORT_BODY_LIMIT) }).strict(),
    z
      .object({
        rows: z
          .array(
            z
              .object({
                line: z.number().int().positive(),
                spec: z.record(z.string(), z.unknown()),
                // The plan's digest when the row was checked: apply stops if the row would now do otherwise.
                digest: z.string().max(64).optional(),
              })
              .strict(),
          )
          .max(MAX_ENTRIES, 'At most 10,000 agents an import.'),
      })
      .strict(),
  ],
  'Send a file ({ format, text }) or the rows to check ({ rows }).',
);

/** The entries an import request names. */
export function importEntriesOf(body: unknown): (Entry & { digest?: string })[] {
  const parsed = parseInput(ImportBody, body);
  if ('rows' in parsed) return parsed.rows;
  return parsed.format === 'csv' ? readAgentsCsv(parsed.text) : readRegistryYaml(parsed.text);
}
