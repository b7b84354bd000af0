import { AgentListQuerySchema, apiListAgents } from '@/lib/api/registry';
import { json } from '@/lib/http/api';
import { problem } from '@/lib/http/problem';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** Agents by slug, a keyset page at a time (scope registry:read). */
export async function GET(request: Request) {
  const token = await authenticate(request, 'registry:read');
  if (token instanceof Response) return token;
  const parsed = AgentListQuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!parsed.success) return problem(400, 'Check the query parameters.', { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  return json(await apiListAgents(parsed.data));
}
