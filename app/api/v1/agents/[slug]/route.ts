import { apiGetAgent } from '@/lib/api/registry';
import { NotFound } from '@/lib/errors';
import { json } from '@/lib/http/api';
import { handleRoute } from '@/lib/http/problem';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** One agent: owners, purposes, credential metadata, open exceptions (scope registry:read). */
export function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async () => {
    await authenticate(request, 'registry:read');
    const { slug } = await params;
    const agent = await apiGetAgent(slug);
    if (!agent) throw new NotFound(`No agent with slug ${slug}.`);
    return json(agent);
  });
}
