import 'server-only';
import { rememberOwnWrite } from '@/lib/db/replica';
import { DomainError } from '@/lib/errors';
import { logFailure } from '@/lib/ops/request-log';

/**
 * A long write as an NDJSON stream: one `progress` line per step, then `done` with its result or `error` with why it
 * stopped (a domain error in its own words; anything else logged and said plainly). The reader may have gone (a
 * closed tab): the work goes on to its end, telling no one. The person's next pages (the agents, the findings, the
 * timeline the summary links to) read from the primary until a replica has what the write wrote.
 */
export async function progressStream<P extends object, R>(
  run: (onProgress: (progress: P) => void) => Promise<R>,
  failed: string,
): Promise<Response> {
  await rememberOwnWrite({ unfinished: true });
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
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
        const summary = await run((progress) => send({ type: 'progress', ...progress }));
        send({ type: 'done', summary });
      } catch (error) {
        if (!(error instanceof DomainError)) logFailure(failed, error);
        send({ type: 'error', detail: error instanceof DomainError ? error.message : failed });
      }
      if (open) controller.close();
      open = false;
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' },
  });
}
