import 'server-only';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { log, REQUEST_ID_HEADER, upstreamIdOf } from '@/lib/ops/logger';
import { answerDecision } from './decisions';
import { hostileHeader, hostileUrl } from './hostile';
import { methodNotAllowed, problem } from './problem';

// The issuance gate's own server: POST /api/v1/decisions, answered by the same handler as the console's route, in a
// plain Node HTTP server. On the brokers' hot path Next.js's request pipeline costs more CPU than the decision itself
// (on the benchmark's 2 cores a console instance answers about 330 decisions a second, this server about 900), so a
// deployment sends /api/v1/decisions here (`npm run gate`) and everything else to the console. It keeps nothing of
// its own: several may run, beside any number of console instances, on the one database.

const DECISIONS = '/api/v1/decisions';
/** The decision API's own limit on a body (lib/http/api.ts). */
const BODY_LIMIT = 4 * 1024 * 1024;

export type GateServer = { url: string; close: () => Promise<void> };

/** Listens on `port` (0: any free one); `close` stops taking requests and resolves once those in flight are done. */
export async function startGateServer(options: { port: number; host?: string }): Promise<GateServer> {
  const server = http.createServer((req, res) => void serve(req, res));
  // Keep-alive a little longer than a balancer's own (nginx's default upstream keepalive_timeout is 60 s; ours 4 s).
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // Idle keep-alive connections would hold close() open: only those answering a request are waited for.
      server.closeIdleConnections();
    });
  return { url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`, close };
}

async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const requestId = randomUUID();
  const url = new URL(req.url ?? '/', 'http://gate.invalid');
  const upstreamRequestId = upstreamIdOf(headerOf(req, REQUEST_ID_HEADER) ?? null);
  log.info(
    { requestId, ...(upstreamRequestId ? { upstreamRequestId } : {}), method: req.method, path: url.pathname },
    'request',
  );
  let response: Response;
  try {
    response = await answer(req, url);
  } catch (error) {
    log.error({ requestId, err: error }, 'gate request failed');
    response = problem(500, 'The gate could not answer: try again.');
  }
  if (res.destroyed) return; // the client went away
  res.statusCode = response.status;
  response.headers.forEach((value, key) => res.setHeader(key, value));
  res.setHeader(REQUEST_ID_HEADER, requestId);
  res.end(Buffer.from(await response.arrayBuffer()));
}

async function answer(req: http.IncomingMessage, url: URL): Promise<Response> {
  const headers = new Headers();
  for (const [key, value] of Object.entries(req.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(key, v);
  }
  // The same refusals the console's proxy makes before any route sees a request.
  const refused = hostileUrl(url) ?? [...headers.values()].map(hostileHeader).find((p) => p !== null) ?? null;
  if (refused) return problem(400, `The request holds ${refused}: not allowed.`);
  if (url.pathname === '/api/health' && req.method === 'GET') return Response.json({ status: 'ok' });
  if (url.pathname !== DECISIONS) {
    return problem(404, `This server answers the issuance gate only (POST ${DECISIONS}); the rest is the console’s.`);
  }
  if (req.method !== 'POST') return methodNotAllowed('POST')();
  const body = await readCapped(req);
  if (!body) {
    // The rest is never read: the connection closes after the answer.
    const tooLarge = problem(413, `The body is over ${BODY_LIMIT / 1024 / 1024} MiB: send smaller batches.`);
    tooLarge.headers.set('connection', 'close');
    return tooLarge;
  }
  return answerDecision(new Request(new URL(url.pathname, 'http://gate.invalid'), { method: 'POST', headers, body }));
}

/** The body, or null once it passes the limit (reading stops there). */
function readCapped(req: http.IncomingMessage): Promise<Uint8Array<ArrayBuffer> | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) {
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
