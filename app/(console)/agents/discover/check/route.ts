import { planDiscovery } from '@/lib/discovery/apply';
import { json } from '@/lib/http/api';
import { readConsoleDiscovery } from '@/lib/http/discovery';
import { handleRoute } from '@/lib/http/problem';

export const dynamic = 'force-dynamic';

/** The discovery's dry run: what importing the file would do, identity by identity. Changes nothing. */
export function POST(request: Request) {
  return handleRoute(async () => {
    const read = await readConsoleDiscovery(request);
    if (read instanceof Response) return read;
    return json(await planDiscovery(read.actor, read.body));
  });
}
