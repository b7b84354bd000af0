import { apiAssignOwner, currentVersion } from '@/lib/api/registry-write';
import { json, readJsonBody } from '@/lib/http/api';
import { etagOf, ifMatchVersion } from '@/lib/http/etag';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** Sets the accountable owner, by e-mail (scope registry:write, a creator who may assign ownership; If-Match). */
export function PUT(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:write');
    const version = ifMatchVersion(request);
    if (version instanceof Response) return version;
    const read = await readJsonBody(request);
    if (read instanceof Response) return read;
    const { agent, message } = await apiAssignOwner(token, (await params).slug, read.body, version);
    const response = json({ message });
    response.headers.set('etag', etagOf(await currentVersion(agent.id)));
    return response;
  });
}

const refuse = methodNotAllowed('PUT');
export { refuse as GET, refuse as POST, refuse as PATCH, refuse as DELETE };
