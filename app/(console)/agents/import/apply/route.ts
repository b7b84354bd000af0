import { readImportRequest } from '@/lib/http/import-request';
import { handleRoute } from '@/lib/http/problem';
import { progressStream } from '@/lib/http/progress-stream';
import { importEntries } from '@/lib/registry/apply';

export const dynamic = 'force-dynamic';

/**
 * Applies the checked rows, streaming one NDJSON line per committed batch (`progress`), then `done` with the summary
 * or `error` with why it stopped (a refused row applies nothing; a row that changed since the check stops there).
 */
export function POST(request: Request) {
  return handleRoute(async () => {
    const read = await readImportRequest(request);
    if (read instanceof Response) return read;
    const { actor, entries } = read;
    return progressStream(
      (onProgress) => importEntries(actor, entries, onProgress),
      'The import failed; the batches before were applied.',
    );
  });
}
