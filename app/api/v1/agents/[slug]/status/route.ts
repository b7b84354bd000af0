import { apiChangeStatus, currentVersion } from '@/lib/api/registry-write';
import { json, readJsonBody } from '@/lib/http/api';
import { etagOf, ifMatchVersion } from '@/lib/http/etag';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** A lifecycle transition (to ACTIVE, SUSPENDED, RETIRED…), refused with every rule it breaks (If-Match). */
export function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:write');
    const version = ifMatchVersion(request);
    if (version instanceof Response) return version;
    const read = await readJsonBody(request);
    if (read instanceof Response) return read;
    const { agent, message } = await apiChangeStatus(token, (await params).slug, read.body, version);
    const response = json({ message });
    response.headers.set('etag', etagOf(await currentVersion(agent.id)));
    return response;
  });
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };
