import { parse as parseCsv } from 'csv-parse/sync';
import { Invalid } from '@/lib/errors';

/**
 * The line each record starts on, from where each ends (csv-parse's own line count takes a CRLF inside a quoted cell
 * for two): one pass over the bytes, CRLF, CR and LF each one line break, blank lines skipped as the parser does.
 */
function startLines(bytes: Buffer, ends: number[]): number[] {
  let pos = 0;
  let line = 1;
  const CR = 13;
  const LF = 10;
  return ends.map((end, k) => {
    let start = k === 0 ? 0 : ends[k - 1]!;
    while (bytes[start] === CR || bytes[start] === LF) start++;
    for (; pos < start; pos++) {
      if (bytes[pos] === LF || (bytes[pos] === CR && bytes[pos + 1] !== LF)) line++;
    }
    return line;
  });
}

const CSV_PROBLEMS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted cell is never closed.',
  CSV_INVALID_CLOSING_QUOTE: 'a quote closes a cell in the middle of it.',
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: 'a row has a different number of cells from the header.',
  CSV_RECORD_DONT_MATCH_COLUMNS_LENGTH: 'a row has a different number of cells from the header.',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'there is text after a quoted cell.',
  INVALID_OPENING_QUOTE: 'a quote opens in the middle of a cell.',
};

/**
 * An uploaded CSV file's records and the line each starts on. A file that is not CSV is refused naming the line and
 * the problem, never the cell (csv-parse's own message quotes it, and a cell may hold anything).
 */
export function readCsvRecords(text: string): { records: string[][]; lines: number[] } {
  try {
    const parsed = parseCsv(text, { skip_empty_lines: true, bom: true, info: true }) as unknown as {
      record: string[];
      info: { bytes: number };
    }[];
    return {
      records: parsed.map((p) => p.record),
      lines: startLines(
        Buffer.from(text, 'utf8'),
        parsed.map((p) => p.info.bytes),
      ),
    };
  } catch (error) {
    const { lines: line, code } = error as { lines?: number; code?: string };
    throw new Invalid(
      `The file is not valid CSV${line ? ` (line ${line})` : ''}: ` +
        (CSV_PROBLEMS[code ?? ''] ?? 'it cannot be read as CSV.'),
    );
  }
}
