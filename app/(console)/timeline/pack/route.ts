import { parseTimelineQuery } from '@/lib/audit';
import { buildEvidencePack } from '@/lib/audit/pack';
import { getCurrentUser } from '@/lib/auth';
import { problemFrom } from '@/lib/http/problem';

export const dynamic = 'force-dynamic';

/** An evidence pack (zip) for the current timeline filter. */
export async function GET(request: Request) {
  try {
    const { zip, filename } = await buildEvidencePack(
      await getCurrentUser(),
      parseTimelineQuery(Object.fromEntries(new URL(request.url).searchParams)),
    );
    return new Response(zip as BodyInit, {
      headers: {
        'content-type': 'application/zip',
        'content-disposition': `attachment; filename="${filename}"`,
        'cache-control': 'no-store',
      },
    });
  } catch (error) {
    return problemFrom(error);
  }
}
