import { AgentListQuerySchema, apiListAgents } from '@/lib/api/registry';
import { parseInput } from '@/lib/errors';
import { json } from '@/lib/http/api';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** The agents the token reaches, by slug, a keyset page at a time (scope registry:read). */
export function GET(request: Request) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:read');
    const query = parseInput(AgentListQuerySchema, Object.fromEntries(new URL(request.url).searchParams));
    return json(await apiListAgents(query, token.reach));
  });
}

const refuse = methodNotAllowed('GET');
export { refuse as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };
