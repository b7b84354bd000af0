import { getCurrentUser } from '@/lib/auth';
import { requirePermission } from '@/lib/authz';
import { handleRoute } from '@/lib/http/problem';
import { CSV_TEMPLATE } from '@/lib/registry/spec';

export const dynamic = 'force-dynamic';

/** The import's CSV template: the header and one example row. */
export function GET() {
  return handleRoute(async () => {
    requirePermission(await getCurrentUser(), 'agent.write');
    return new Response(CSV_TEMPLATE, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="custodian-agents-template.csv"',
        'cache-control': 'no-store',
      },
    });
  });
}
