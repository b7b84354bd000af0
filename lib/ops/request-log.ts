import 'server-only';
import { headers } from 'next/headers';
import type pino from 'pino';
import { log, REQUEST_ID_HEADER } from './logger';

/** The logger for the request being served: its lines carry the request's id. Outside a request (a job), the one. */
export async function requestLog(): Promise<pino.Logger> {
  try {
    const id = (await headers()).get(REQUEST_ID_HEADER);
    return id ? log.child({ requestId: id }) : log;
  } catch {
    return log;
  }
}

/**
 * An unexpected failure, logged with its stack and the request's id (the caller answers without detail). A server
 * outside Next.js (the gate's own) names the id: there is no request scope to read it from.
 */
export function logFailure(message: string, error: unknown, requestId?: string): void {
  const logger = requestId ? Promise.resolve(log.child({ requestId })) : requestLog();
  void logger.then((l) => l.error({ err: error }, message));
}

/** What Next.js hands `onRequestError` (instrumentation.ts) about the request. */
export type FailedRequest = { path: string; method: string; headers: NodeJS.Dict<string | string[]> };

/**
 * An error Next.js caught while rendering a page, running a server action or a route handler: one JSON line with the
 * request's id, its method and path (never its query, headers or body) and the route. Next.js's own control flow
 * (redirect, notFound, dynamic rendering) is not a failure.
 */
export function logRequestError(
  error: unknown,
  request: FailedRequest,
  context: { routePath: string; routeType: string },
  logger: pino.Logger = log,
): void {
  const digest = (error as { digest?: unknown } | null)?.digest;
  if (typeof digest === 'string' && /^(NEXT_|DYNAMIC_SERVER_USAGE|BAILOUT_TO_CLIENT_SIDE_RENDERING)/.test(digest)) {
    return;
  }
  const id = request.headers[REQUEST_ID_HEADER];
  const requestId = typeof id === 'string' ? id : undefined;
  logger.error(
    {
      ...(requestId ? { requestId } : {}),
      method: request.method,
      path: request.path.split('?')[0],
      route: context.routePath,
      routeType: context.routeType,
      err: error,
    },
    'request failed',
  );
}
