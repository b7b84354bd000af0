import { parseTimelineQuery } from '@/lib/audit';
import { exportTimeline } from '@/lib/audit/export';
import { getCurrentUser } from '@/lib/auth';
import { problemFrom } from '@/lib/http/problem';

export const dynamic = 'force-dynamic';

/** The timeline for the current filter as CSV or NDJSON, streamed, with the chain head in a trailer. */
export async function GET(request: Request) {
  const params = new URL(request.url).searchParams;
  const format = params.get('format') === 'ndjson' ? 'ndjson' : 'csv';
  try {
    const stream = await exportTimeline(await getCurrentUser(), parseTimelineQuery(Object.fromEntries(params)), format);
    return new Response(stream, {
      headers: {
        'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        'content-disposition':
          `attachment; ` +
          `filename="custody-timeline-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.${format}"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    return problemFrom(error);
  }
}
