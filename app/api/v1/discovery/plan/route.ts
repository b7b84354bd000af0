import { planDiscovery } from '@/lib/discovery/apply';
import { json } from '@/lib/http/api';
import { readApiDiscovery } from '@/lib/http/discovery';
import { handleRoute, methodNotAllowed } from '@/lib/http/problem';

export const dynamic = 'force-dynamic';

/** What importing a Vault audit log or an AWS credential report would do; changes nothing (scope discovery:import). */
export function POST(request: Request) {
  return handleRoute(async () => {
    const read = await readApiDiscovery(request);
    if (read instanceof Response) return read;
    return json(await planDiscovery(read.actor, read.body));
  });
}

const refuse = methodNotAllowed('POST');
export { refuse as GET, refuse as PUT, refuse as PATCH, refuse as DELETE };
