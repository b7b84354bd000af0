import { apiGetAgent } from '@/lib/api/registry';
import { apiPatchAgent } from '@/lib/api/registry-write';
import { json } from '@/lib/http/api';
import { etagOf } from '@/lib/http/etag';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { versionedWrite } from '@/lib/http/registry-write';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

type Context = { params: Promise<{ slug: string }> };

/** One agent: owners, purposes, credential metadata, open exceptions (scope registry:read, within its agents). */
export function GET(request: Request, { params }: Context) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:read');
    const { slug } = await params;
    const { version, ...agent } = await apiGetAgent(slug, token.reach);
    const response = json(agent);
    response.headers.set('etag', etagOf(version));
    return response;
  });
}

/**
 * Edits the fields sent (scope registry:write, If-Match required). 200 when saved; 202 with the change request when
 * a field loosens a control and a second person must decide it.
 */
export function PATCH(request: Request, { params }: Context) {
  return versionedWrite(request, async (token, body, version) => {
    const { agent, message, changeRequestId } = await apiPatchAgent(token, (await params).slug, body, version);
    return changeRequestId
      ? { agent, body: { message, changeRequest: { id: changeRequestId, status: 'PENDING' } }, status: 202 }
      : { agent, body: { message } };
  });
}

const refuse = methodNotAllowed('GET', 'PATCH');
export { refuse as POST, refuse as PUT, refuse as DELETE };
