import { json } from '@/lib/http/api';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { readRegistryRequest, summaryOf } from '@/lib/http/registry-file';
import { planRegistry } from '@/lib/registry/apply';

export const dynamic = 'force-dynamic';

/** What applying a registry file would change, agent by agent; changes nothing (scope registry:write). */
export function POST(request: Request) {
  return handleRoute(async () => {
    const read = await readRegistryRequest(request);
    if (read instanceof Response) return read;
    const agents = await planRegistry(read.token.creator, read.entries, { viaToken: true });
    return json({ summary: summaryOf(agents), agents });
  });
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };
