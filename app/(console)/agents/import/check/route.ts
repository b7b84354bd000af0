import { getCurrentUser } from '@/lib/auth';
import { requirePermission } from '@/lib/authz';
import { json, readJsonBody } from '@/lib/http/api';
import { handleRoute } from '@/lib/http/problem';
import { planRegistry } from '@/lib/registry/apply';
import { IMPORT_BODY_LIMIT, importEntriesOf } from '@/lib/registry/import-body';

export const dynamic = 'force-dynamic';

/** The import's dry run: each row's plan, with the row as read so it can be fixed. Changes nothing. */
export function POST(request: Request) {
  return handleRoute(async () => {
    const actor = await getCurrentUser();
    requirePermission(actor, 'agent.write');
    const read = await readJsonBody(request, IMPORT_BODY_LIMIT);
    if (read instanceof Response) return read;
    const entries = importEntriesOf(read.body);
    const plans = await planRegistry(actor, entries);
    return json({ rows: plans.map((plan, i) => ({ ...plan, spec: entries[i]!.spec })) });
  });
}
