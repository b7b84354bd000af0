import { AgentListQuerySchema, apiListAgents } from '@/lib/api/registry';
import { apiCreateAgent } from '@/lib/api/registry-write';
import { parseInput } from '@/lib/errors';
import { json, readJsonBody } from '@/lib/http/api';
import { etagOf } from '@/lib/http/etag';
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

/** Registers an agent, PROPOSED (scope registry:write, as the token's creator). */
export function POST(request: Request) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:write');
    const read = await readJsonBody(request);
    if (read instanceof Response) return read;
    const { slug } = await apiCreateAgent(token, read.body);
    const response = json({ slug, status: 'PROPOSED' }, 201);
    response.headers.set('location', `/api/v1/agents/${slug}`);
    response.headers.set('etag', etagOf(1));
    return response;
  });
}

const refuse = methodNotAllowed('GET', 'POST');
export { refuse as PUT, refuse as PATCH, refuse as DELETE };
