import { json } from '@/lib/http/api';
import { readImportRequest } from '@/lib/http/import-request';
import { handleRoute } from '@/lib/http/problem';
import { planRegistry } from '@/lib/registry/apply';

export const dynamic = 'force-dynamic';

/** The import's dry run: each row's plan, with the row as read so it can be fixed. Changes nothing. */
export function POST(request: Request) {
  return handleRoute(async () => {
    const read = await readImportRequest(request);
    if (read instanceof Response) return read;
    const { actor, entries } = read;
    const plans = await planRegistry(actor, entries);
    return json({ rows: plans.map((plan, i) => ({ ...plan, spec: entries[i]!.spec })) });
  });
}
