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

/** An unexpected failure, logged with its stack and the request's id (the caller answers without detail). */
export function logFailure(message: string, error: unknown): void {
  void requestLog().then((logger) => logger.error({ err: error }, message));
}
