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
