import 'server-only';
import { getCurrentUser } from '@/lib/auth';
import { requirePermission, type Actor } from '@/lib/authz';
import { MAX_DISCOVERY_BYTES } from '@/lib/discovery/request';
import { authenticateReachingAll } from '@/lib/tokens/bearer';
import { readJsonBody } from './api';

// A file's text inside JSON grows with its escapes (a Vault log's quotes): room for that over the file's own limit.
const BODY_LIMIT = MAX_DISCOVERY_BYTES * 1.5;

/** A console discovery request: who may import (checked before the body is read), and the body. */
export async function readConsoleDiscovery(request: Request): Promise<{ actor: Actor; body: unknown } | Response> {
  const actor = await getCurrentUser();
  requirePermission(actor, 'discovery.import');
  const read = await readJsonBody(request, BODY_LIMIT);
  if (read instanceof Response) return read;
  return { actor, body: read.body };
}

/**
 * An API discovery request (`npm run discover`): the token (discovery:import, reaching every agent: a log may name
 * any agent and proposes new ones), acting as its creator, then the JSON body.
 */
export async function readApiDiscovery(request: Request): Promise<{ actor: Actor; body: unknown } | Response> {
  const token = await authenticateReachingAll(
    request,
    'discovery:import',
    'A discovery may name any agent: import it with a token that reaches every agent.',
  );
  const read = await readJsonBody(request, BODY_LIMIT);
  if (read instanceof Response) return read;
  return { actor: token.creator, body: read.body };
}
