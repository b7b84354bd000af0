import { applyDiscovery } from '@/lib/discovery/apply';
import { json } from '@/lib/http/api';
import { readApiDiscovery } from '@/lib/http/discovery';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';

export const dynamic = 'force-dynamic';

/**
 * Imports a Vault audit log or an AWS credential report (scope discovery:import); with `expect` (identity → digest
 * from the plan reviewed), an identity whose plan moved since stops it before anything is imported.
 */
export function POST(request: Request) {
  return handleRoute(async () => {
    const read = await readApiDiscovery(request);
    if (read instanceof Response) return read;
    return json(await applyDiscovery(read.actor, read.body, undefined, { viaToken: true }));
  });
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };
