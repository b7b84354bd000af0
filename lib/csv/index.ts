/**
 * One CSV record (RFC 4180), with formula injection neutralised: a cell that a
 * spreadsheet would run as a formula is prefixed with a quote.
 */
export function csvLine(cells: string[]): string {
  return (
    cells
      .map((cell) => {
        const safe = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
        return /[",\n\r]/.test(safe) || safe !== cell ? `"${safe.replace(/"/g, '""')}"` : safe;
      })
      .join(',') + '\r\n'
  );
}
