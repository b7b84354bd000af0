import { apiAssignOwner } from '@/lib/api/registry-write';
import { methodNotAllowed } from '@/lib/http/problem';
import { versionedWrite } from '@/lib/http/registry-write';

export const dynamic = 'force-dynamic';

/** Sets the accountable owner, by e-mail (scope registry:write, a creator who may assign ownership; If-Match). */
export function PUT(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return versionedWrite(request, async (token, body, version) => {
    const { agent, message } = await apiAssignOwner(token, (await params).slug, body, version);
    return { agent, body: { message } };
  });
}

const refuse = methodNotAllowed('PUT');
export { refuse as GET, refuse as POST, refuse as PATCH, refuse as DELETE };
