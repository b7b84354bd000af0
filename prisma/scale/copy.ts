import { once } from 'node:events';
import type { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

type Cell = string | number | boolean | Date | null | undefined | string[];

/** One value in COPY's text format: NULL as \N, arrays as {a,b}, and tab, newline and backslash escaped. */
function cell(value: Cell): string {
  if (value === null || value === undefined) return '\\N';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value))
    return `{${value.map((v) => `"${v.replace(/["\\]/g, '\\$&')}"`).join(',')}}`.replace(/\\/g, '\\\\');
  return String(value).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** One row in COPY's text format, newline included. */
export function copyLine(row: Cell[]): string {
  return `${row.map(cell).join('\t')}\n`;
}

/** COPY FROM STDIN into `table`'s `columns`: a writable stream of text-format lines. */
export function copyStream(client: Client, table: string, columns: string[]) {
  return client.query(copyFrom(`COPY "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) FROM STDIN`));
}

/**
 * Streams rows into a table with COPY FROM STDIN, honouring backpressure so
 * memory stays flat however many rows the generator yields.
 */
export async function copyRows(
  client: Client,
  table: string,
  columns: string[],
  rows: Iterable<Cell[]>,
): Promise<number> {
  const stream = copyStream(client, table, columns);
  let count = 0;
  let buffer = '';
  for (const row of rows) {
    buffer += copyLine(row);
    count += 1;
    if (buffer.length > 1 << 20) {
      if (!stream.write(buffer)) await once(stream, 'drain');
      buffer = '';
    }
  }
  stream.end(buffer);
  await once(stream, 'finish');
  return count;
}
