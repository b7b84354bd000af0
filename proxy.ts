import { NextResponse, type NextRequest } from 'next/server';
import { malformedFetchAction, malformedFormAction } from './lib/http/action-body';
import { hostileRequest } from './lib/http/hostile';
import { HSTS } from './lib/http/security-headers';
import { log, REQUEST_ID_HEADER, upstreamIdOf } from './lib/ops/logger';

// Refuses a path, query or header that no input can mean (400 problem JSON),
// and adds HSTS when the request reached us over https (directly or via a
// proxy that says so). Not an access check: every page, action and route
// checks its own permission on the server. Every request gets an id (x-request-id, on the request the app sees, on
// the response, and on its log lines) and one log line: method and path, never the query, headers or body; a load
// balancer's own id for it, when it sent one, beside it.
export async function proxy(request: NextRequest) {
  const requestId = crypto.randomUUID();
  const upstreamRequestId = upstreamIdOf(request.headers.get(REQUEST_ID_HEADER));
  log.info(
    {
      requestId,
      ...(upstreamRequestId ? { upstreamRequestId } : {}),
      method: request.method,
      path: request.nextUrl.pathname,
    },
    'request',
  );
  const response = await answer(request, requestId);
  response.headers.set(REQUEST_ID_HEADER, requestId);
  return response;
}

async function answer(request: NextRequest, requestId: string): Promise<Response> {
  const refused = hostileRequest(new URL(request.url), request.headers);
  if (refused) return problemResponse(400, 'Bad Request', `The request holds ${refused}: not allowed.`);
  const api = request.nextUrl.pathname.startsWith('/api/');
  if (api && !METHODS.includes(request.method)) {
    return problemResponse(
      405,
      'Method Not Allowed',
      `${request.method.slice(0, 20)} is not an HTTP method this API serves.`,
    );
  }
  const action = request.method === 'POST' && request.headers.has('next-action');
  // Every POST to the console (an action, a form, the import's upload) comes from this site, or is refused.
  if (request.method === 'POST' && !api && !sameSiteAction(request)) {
    return problemResponse(403, 'Forbidden', 'Actions are accepted only from this site (the Origin did not match).');
  }
  // A form posted to a page is a server action Next.js will decode (with or without JavaScript): checked here so an
  // oversized or malformed body is a 4xx, not Next.js's 500.
  if (action || (request.method === 'POST' && !api && isForm(request))) {
    if (action && mediaType(request) !== 'multipart/form-data') {
      return problemResponse(415, 'Unsupported Media Type', 'An action takes a form (multipart/form-data).');
    }
    if (Number(request.headers.get('content-length') ?? 0) > ACTION_BODY_LIMIT) {
      return problemResponse(413, 'Payload Too Large', 'A form may carry at most 1 MB.');
    }
    const form = await formOf(request);
    const malformed = !form
      ? 'the body is not a readable form'
      : action
        ? malformedFetchAction(form)
        : malformedFormAction(form);
    if (malformed) return problemResponse(400, 'Bad Request', `The form is malformed: ${malformed}.`);
  }
  const forwarded = new Headers(request.headers);
  forwarded.set(REQUEST_ID_HEADER, requestId);
  const response = NextResponse.next({ request: { headers: forwarded } });
  const proto = request.headers.get('x-forwarded-proto') ?? request.nextUrl.protocol.replace(':', '');
  if (proto === 'https') response.headers.set('Strict-Transport-Security', HSTS);
  return response;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
// Next.js's own default for an action's body: past it, it answers 500.
const ACTION_BODY_LIMIT = 1024 * 1024;

/**
 * Next.js's own rule for an action's Origin, checked here so a mismatch is a 403 rather than a 500: the Origin's host
 * must be the first X-Forwarded-Host (when sent, else the Host), or match one of SERVER_ACTIONS_ALLOWED_ORIGINS
 * (`*` one label, `**` any, as Next.js matches them). A POST with no Origin passes, as in Next.js: browsers send one
 * with every cross-site POST, so its absence is a client that is not a browser, which forges no one's session.
 */
function sameSiteAction(request: NextRequest): boolean {
  const header = request.headers.get('origin');
  if (!header) return true;
  let origin: string;
  try {
    origin = header === 'null' ? 'null' : new URL(header).host;
  } catch {
    return false;
  }
  const host = request.headers.get('x-forwarded-host')?.split(',')[0]?.trim() || request.headers.get('host');
  if (host && origin === host) return true;
  return (process.env.SERVER_ACTIONS_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((pattern) => pattern.trim().toLowerCase())
    .filter(Boolean)
    .some((pattern) => pattern === origin.toLowerCase() || wildcardMatches(origin.toLowerCase(), pattern));
}

function wildcardMatches(domain: string, pattern: string): boolean {
  const want = pattern.split('.');
  const have = domain.split('.');
  if (want.length === 1 && (want[0] === '*' || want[0] === '**')) return false;
  while (want.length > 0) {
    const part = want.pop();
    const label = have.pop();
    if (part === '') return false;
    if (part === '**') return want.length === 0 && label !== undefined;
    if (part === '*' ? !label : label !== part) return false;
  }
  return have.length === 0;
}

/** The form an action was posted with, or null when the body is not a readable form. */
async function formOf(request: NextRequest): Promise<FormData | null> {
  try {
    return await request.clone().formData();
  } catch {
    return null;
  }
}

function mediaType(request: NextRequest): string {
  return (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function isForm(request: NextRequest): boolean {
  return ['multipart/form-data', 'application/x-www-form-urlencoded'].includes(mediaType(request));
}

function problemResponse(status: number, title: string, detail: string) {
  return Response.json(
    { type: 'about:blank', title, status, detail },
    { status, headers: { 'content-type': 'application/problem+json' } },
  );
}

export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
