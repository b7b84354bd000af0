import { apiGetAgent } from '@/lib/api/registry';
import { apiPatchAgent, currentVersion } from '@/lib/api/registry-write';
import { json, readJsonBody } from '@/lib/http/api';
import { etagOf, ifMatchVersion } from '@/lib/http/etag';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
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
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:write');
    const version = ifMatchVersion(request);
    if (version instanceof Response) return version;
    const read = await readJsonBody(request);
    if (read instanceof Response) return read;
    const { slug } = await params;
    const { agent, message, changeRequestId } = await apiPatchAgent(token, slug, read.body, version);
    const response = changeRequestId
      ? json({ message, changeRequest: { id: changeRequestId, status: 'PENDING' } }, 202)
      : json({ message });
    response.headers.set('etag', etagOf(await currentVersion(agent.id)));
    return response;
  });
}

const refuse = methodNotAllowed('GET', 'PATCH');
export { refuse as POST, refuse as PUT, refuse as DELETE };
