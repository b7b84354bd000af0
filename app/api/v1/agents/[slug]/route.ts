import { apiGetAgent } from '@/lib/api/registry';
import { json } from '@/lib/http/api';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** One agent: owners, purposes, credential metadata, open exceptions (scope registry:read, within its agents). */
export function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:read');
    const { slug } = await params;
    return json(await apiGetAgent(slug, token.reach));
  });
}

const refuse = methodNotAllowed('GET');
export { refuse as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };
