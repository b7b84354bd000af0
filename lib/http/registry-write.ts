import 'server-only';
import { currentVersion } from '@/lib/api/registry-write';
import { authenticate, type TokenActor } from '@/lib/tokens/bearer';
import { json, readJsonBody } from './api';
import { etagOf, ifMatchVersion } from './etag';
import { handleRoute } from './problem';

type Written = { agent: { id: string }; body: unknown; status?: number };

/**
 * One versioned write of the registry API: the token (registry:write), the If-Match version and the JSON body read,
 * in that order, each answering its own problem; the answer carries the agent's ETag after the write.
 */
export function versionedWrite(
  request: Request,
  write: (token: TokenActor, body: unknown, version: number) => Promise<Written>,
): Promise<Response> {
  return handleRoute(async () => {
    const token = await authenticate(request, 'registry:write');
    const version = ifMatchVersion(request);
    if (version instanceof Response) return version;
    const read = await readJsonBody(request);
    if (read instanceof Response) return read;
    const { agent, body, status } = await write(token, read.body, version);
    const response = json(body, status);
    response.headers.set('etag', etagOf(await currentVersion(agent.id)));
    return response;
  });
}
