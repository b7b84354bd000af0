import { parseTimelineQuery } from '@/lib/audit';
import { queryStoredTimeline } from '@/lib/audit/queries';
import { json, readJsonBody } from '@/lib/http/api';
import { idempotencyKeyOf } from '@/lib/http/idempotency';
import { handleRoute, methodNotAllowed, problem } from '@/lib/http/problem';
import { ingestEvents } from '@/lib/ingest/commands';
import { authenticate, requireReach } from '@/lib/tokens/bearer';

export const dynamic = 'force-dynamic';

/** A batch of custody events from a broker, CI runner or agent runtime (scope events:write). */
export function POST(request: Request) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'events:write');
    const idempotencyKey = idempotencyKeyOf(request);
    if (idempotencyKey instanceof Response) return idempotencyKey;
    const read = await readJsonBody(request);
    if (read instanceof Response) return read;
    const partial = new URL(request.url).searchParams.get('partial') === 'true';
    const outcome = await ingestEvents(token, read.body, { partial, idempotencyKey });
    if (outcome.status >= 400) {
      const { detail, ...extra } = outcome.body as { detail: string };
      return problem(outcome.status, detail, extra);
    }
    return json(outcome.body, outcome.status);
  });
}

/**
 * The custody timeline, newest first, by keyset (scope audit:read): the same filters as the console. A token scoped
 * to some agents reads one of them at a time (`?agent=`).
 */
export function GET(request: Request) {
  return handleRoute(async () => {
    const token = await authenticate(request, 'audit:read');
    const query = parseTimelineQuery(Object.fromEntries(new URL(request.url).searchParams));
    await requireReach(token, query.agent);
    const { rows, next } = await queryStoredTimeline(query);
    return json({
      events: rows.map(({ group: _group, actor: _actor, agent, credential: _credential, ...e }) => ({
        ...e,
        agentSlug: agent?.slug ?? null,
      })),
      next,
    });
  });
}

const refuse = methodNotAllowed('GET', 'POST');
export { refuse as PUT, refuse as PATCH, refuse as DELETE };
