import { json } from '@/lib/http/api';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { readRegistryRequest, summaryOf } from '@/lib/http/registry-file';
import { applyRegistry } from '@/lib/registry/apply';

export const dynamic = 'force-dynamic';

/**
 * Applies a registry file, one transaction per agent, reporting each (scope registry:write). With `expect`, an agent
 * whose plan moved since the one reviewed is refused; a loosening change opens a change request.
 */
export function POST(request: Request) {
  return handleRoute(async () => {
    const read = await readRegistryRequest(request);
    if (read instanceof Response) return read;
    const agents = await applyRegistry(read.token.creator, read.entries, { viaToken: true, expect: read.expect });
    return json({ summary: summaryOf(agents), agents });
  });
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };
