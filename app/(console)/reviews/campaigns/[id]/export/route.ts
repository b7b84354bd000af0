import { getCurrentUser } from '@/lib/auth';
import { handleRoute } from '@/lib/http/problem';
import { exportCampaignCsv } from '@/lib/reviews/campaign-export';

export const dynamic = 'force-dynamic';

/** A campaign's reviews (or its per-reviewer summary) as CSV for auditors; the export itself is audited. */
export function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  return handleRoute(async () => {
    const { id } = await params;
    const part = new URL(request.url).searchParams.get('part') === 'summary' ? 'summary' : 'reviews';
    const { csv, filename } = await exportCampaignCsv(await getCurrentUser(), id, part);
    return new Response(csv, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
        'cache-control': 'no-store',
      },
    });
  });
}
