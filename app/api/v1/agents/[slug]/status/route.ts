import { apiChangeStatus } from '@/lib/api/registry-write';
import { methodNotAllowed } from '@/lib/http/problem';
import { versionedWrite } from '@/lib/http/registry-write';

export const dynamic = 'force-dynamic';

/** A lifecycle transition (to ACTIVE, SUSPENDED, RETIRED…), refused with every rule it breaks (If-Match). */
export function POST(request: Request, { params }: { params: Promise<{ slug: string }> }) {
  return versionedWrite(request, async (token, body, version) => {
    const { agent, message } = await apiChangeStatus(token, (await params).slug, body, version);
    return { agent, body: { message } };
  });
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };
