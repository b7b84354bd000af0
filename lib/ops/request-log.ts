import 'server-only';
import { AsyncLocalStorage } from 'node:async_hooks';
import { headers } from 'next/headers';
import type pino from 'pino';
import { log, REQUEST_ID_HEADER } from './logger';

/** The id of the request a server outside Next.js (the gate's own, lib/http/gate-server.ts) is answering. */
const requestIds = new AsyncLocalStorage<string>();

/** Runs `work` as the request `id`: its log lines carry it, as a console request's do. */
export function withRequestId<T>(id: string, work: () => Promise<T>): Promise<T> {
  return requestIds.run(id, work);
}

/** The logger for the request being served: its lines carry the request's id. Outside a request (a job), the one. */
export async function requestLog(): Promise<pino.Logger> {
  const own = requestIds.getStore();
  if (own) return log.child({ requestId: own });
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
