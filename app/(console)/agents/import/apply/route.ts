import { DomainError } from '@/lib/errors';
import { readImportRequest } from '@/lib/http/import-request';
import { handleRoute } from '@/lib/http/problem';
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
    const encoder = new TextEncoder();
    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        // The reader may have gone (a closed tab): the import goes on to its end, telling no one.
        let open = true;
        const send = (line: Record<string, unknown>) => {
          if (!open) return;
          try {
            controller.enqueue(encoder.encode(`${JSON.stringify(line)}\n`));
          } catch {
            open = false;
          }
        };
        try {
          const summary = await importEntries(actor, entries, (progress) => send({ type: 'progress', ...progress }));
          send({ type: 'done', summary });
        } catch (error) {
          if (!(error instanceof DomainError)) console.error('import failed', error);
          send({
            type: 'error',
            detail:
              error instanceof DomainError ? error.message : 'The import failed; the batches before were applied.',
          });
        }
        if (open) controller.close();
        open = false;
      },
    });
    return new Response(stream, {
      headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' },
    });
  });
}
