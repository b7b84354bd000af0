import { apiAddPurpose } from '@/lib/api/registry-write';
import { json, readJsonBody } from '@/lib/http/api';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';
import { authenticate } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** Proposes a purpose, PENDING until a security lead independent of the agent approves it (scope registry:write). */
export function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:write');
    const read = await readJsonBody(request);
    if (read instanceof Response) return read;
    const { id } = await apiAddPurpose(token, (await params).slug, read.body);
    return json({ id, status: 'PENDING' }, 201);
  });
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };
