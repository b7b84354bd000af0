import 'server-only';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { log, REQUEST_ID_HEADER, upstreamIdOf } from '@/lib/ops/logger';
import { notJson } from './api';
import { answerDecision, DECISION_BODY_LIMIT } from './decisions';
import { hostileRequest } from './hostile';
import { methodNotAllowed, problem } from './problem';
import { HSTS, securityHeaders } from './security-headers';

// The issuance gate's own server: POST /api/v1/decisions, answered by the same handler as the console's route, in a
// plain Node HTTP server. On the brokers' hot path Next.js's request pipeline costs more CPU than the decision itself
// (on the benchmark's 2 cores a console instance answers about 330 decisions a second, this server 700 to 900), so
// a deployment sends /api/v1/decisions here (`npm run gate`) and everything else to the console. It keeps nothing of
// its own: several may run, beside any number of console instances, on the one database. What the console's proxy
// (proxy.ts) and next.config.ts do for every request, it does itself: refuse hostile input, give the request an id
// and one log line, add the security headers.

const DECISIONS = '/api/v1/decisions';
/** After SIGTERM, whatever is still running this long is cut short (an orchestrator kills at 30 s). */
const CLOSE_DEADLINE_MS = 25_000;
const HEADERS = securityHeaders({ dev: false });

export type GateServer = { url: string; close: () => Promise<void> };

/**
 * Listens on `port` (0: any free one). `close` stops taking connections, answers the requests in flight (each with
 * `Connection: close`, so a balancer's kept-alive connection is not reused) and resolves once they are done.
 */
export async function startGateServer(options: { port: number; host?: string }): Promise<GateServer> {
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | null = null;
  const server = http.createServer((req, res) => {
    inFlight += 1;
    serve(req, res, () => closing)
      .catch((error: unknown) => log.error({ err: error }, 'gate request failed'))
      .finally(() => {
        inFlight -= 1;
        if (closing) server.closeIdleConnections();
        if (inFlight === 0) drained?.();
      });
  });
  // A slow client may hold a connection only so long: headers within 10 s, the whole request within 30 s.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const close = async () => {
    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const deadline = setTimeout(() => server.closeAllConnections(), CLOSE_DEADLINE_MS);
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
    server.closeIdleConnections();
    await closed;
    clearTimeout(deadline);
  };
  return { url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, close };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse, closing: () => boolean): Promise<void> {
  const requestId = randomUUID();
  const raw = req.url ?? '/';
  const path = raw.split('?')[0]!;
  const upstreamRequestId = upstreamIdOf(headerOf(req, REQUEST_ID_HEADER) ?? null);
  log.info(
    { requestId, ...(upstreamRequestId ? { upstreamRequestId } : {}), method: req.method, path: path.slice(0, 200) },
    'request',
  );
  let response: Response;
  try {
    response = await answer(req, raw, requestId);
  } catch (error) {
    log.error({ requestId, err: error }, 'gate request failed');
    response = problem(500, 'The gate could not answer: try again.');
  }
  if (res.destroyed) return; // the client went away
  res.statusCode = response.status;
  for (const { key, value } of HEADERS) res.setHeader(key, value);
  if (headerOf(req, 'x-forwarded-proto') === 'https') res.setHeader('strict-transport-security', HSTS);
  response.headers.forEach((value, key) => res.setHeader(key, value));
  res.setHeader(REQUEST_ID_HEADER, requestId);
  // Once closing, no connection is kept for a next request: a balancer takes the next one elsewhere.
  if (closing()) res.setHeader('connection', 'close');
  res.end(req.method === 'HEAD' ? undefined : Buffer.from(await response.arrayBuffer()));
}

async function answer(req: http.IncomingMessage, raw: string, requestId: string): Promise<Response> {
  // The request target as sent, never resolved against another host (`//host/…` is a path here).
  let url: URL;
  try {
    if (!raw.startsWith('/')) throw new Error('not a path');
    url = new URL(`http://gate.invalid${raw}`);
  } catch {
    return problem(400, 'The request target is not a path.');
  }
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(key, v);
  }
  // The same refusals the console's proxy makes before any route sees a request.
  const refused = hostileRequest(url, headers);
  if (refused) return problem(400, `The request holds ${refused}: not allowed.`);
  headers.set(REQUEST_ID_HEADER, requestId);
  if (url.pathname === '/api/health' && (req.method === 'GET' || req.method === 'HEAD')) {
    return Response.json({ status: 'ok' });
  }
  if (url.pathname !== DECISIONS) {
    return problem(404, `This server answers the issuance gate only (POST ${DECISIONS}); the rest is the console’s.`);
  }
  if (req.method !== 'POST') return methodNotAllowed('POST')();
  // Nothing is buffered for a body the handler would refuse unread: the wrong type, or a declared size past the limit.
  const wrongType = notJson(headers);
  if (wrongType) return wrongType;
  const body = await readCapped(req);
  if (!body) {
    // The rest is never read: the connection closes after the answer.
    const tooLarge = problem(
      413,
      `The body is over ${DECISION_BODY_LIMIT / 1024} KiB: a decision is a few hundred bytes.`,
    );
    tooLarge.headers.set('connection', 'close');
    return tooLarge;
  }
  return answerDecision(new Request(new URL(DECISIONS, 'http://gate.invalid'), { method: 'POST', headers, body }));
}

/** The body, or null once it passes the limit (reading stops there). */
function readCapped(req: http.IncomingMessage): Promise<Uint8Array<ArrayBuffer> | null> {
  if (Number(req.headers['content-length'] ?? 0) > DECISION_BODY_LIMIT) return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > DECISION_BODY_LIMIT) {
        req.off('data', onData);
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolve(new Uint8Array(Buffer.concat(chunks))));
    req.once('error', reject);
  });
}

const headerOf = (req: http.IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};
