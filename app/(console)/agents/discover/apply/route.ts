import { applyDiscovery } from '@/lib/discovery/apply';
import { readConsoleDiscovery } from '@/lib/http/discovery';
import { handleRoute } from '@/lib/http/problem';
import { progressStream } from '@/lib/http/progress-stream';

export const dynamic = 'force-dynamic';

/** Imports the file as its dry run showed it, streaming progress per committed batch (NDJSON), then the summary. */
export function POST(request: Request) {
  return handleRoute(async () => {
    const read = await readConsoleDiscovery(request);
    if (read instanceof Response) return read;
    const { actor, body } = read;
    return progressStream(
      (onProgress) => applyDiscovery(actor, body, onProgress),
      'The discovery failed; the batches before were imported.',
    );
  });
}
