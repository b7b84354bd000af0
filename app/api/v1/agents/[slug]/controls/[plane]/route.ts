import { apiAssignControl } from '@/lib/api/registry-write';
import { methodNotAllowed } from '@/lib/http/problem';
import { versionedWrite } from '@/lib/http/registry-write';

export const dynamic = 'force-dynamic';

/** Sets who owns one control plane (IAM, PAM, PLATFORM), by e-mail (scope registry:write; If-Match). */
export function PUT(request: Request, { params }: { params: Promise<{ slug: string; plane: string }> }) {
  return versionedWrite(request, async (token, body, version) => {
    const { slug, plane } = await params;
    const { agent, ...result } = await apiAssignControl(token, slug, plane, body, version);
    return { agent, body: result };
  });
}

const refuse = methodNotAllowed('PUT');
export { refuse as GET, refuse as POST, refuse as PATCH, refuse as DELETE };
