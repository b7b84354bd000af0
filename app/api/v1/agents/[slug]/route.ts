import { apiGetAgent } from '@/lib/api/registry';
import { json } from '@/lib/http/api';
import { problem } from '@/lib/http/problem';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** One agent: owners, purposes, credential metadata, open exceptions (scope registry:read). */
export async function GET(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  const token = await authenticate(request, 'registry:read');
  if (token instanceof Response) return token;
  const { slug } = await params;
  const agent = await apiGetAgent(slug);
  return agent ? json(agent) : problem(404, `No agent with slug ${slug}.`);
}
