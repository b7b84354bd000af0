import { NextResponse, type NextRequest } from 'next/server';
import { malformedFetchAction, malformedFormAction } from './lib/http/action-body';
import { hostileText, hostileUrl } from './lib/http/hostile';
import { HSTS } from './lib/http/security-headers';

// Refuses a path, query or header that no input can mean (400 problem JSON),
// and adds HSTS when the request reached us over https (directly or via a
// proxy that says so). Not an access check: every page, action and route
// checks its own permission on the server.
export async function proxy(request: NextRequest) {
  const refused =
    hostileUrl(new URL(request.url)) ??
    [...request.headers.values()].map((v) => hostileText(v)).find((problem) => problem !== null) ??
    null;
  if (refused) return problemResponse(400, 'Bad Request', `The request holds ${refused}: not allowed.`);
  const action = request.method === 'POST' && request.headers.has('next-action');
  if (action) {
    // A server action posted from another site, or with a body that is not a form, is refused here with a 4xx
    // instead of reaching Next.js, which would answer 500.
    if (!sameSiteAction(request)) {
      return problemResponse(403, 'Forbidden', 'Actions are accepted only from this site (the Origin did not match).');
    }
    if (mediaType(request) !== 'multipart/form-data') {
      return problemResponse(415, 'Unsupported Media Type', 'An action takes a form (multipart/form-data).');
    }
    const form = await formOf(request);
    const malformed = form ? malformedFetchAction(form) : 'the body is not a readable form';
    if (malformed) return problemResponse(400, 'Bad Request', `The action's form is malformed: ${malformed}.`);
  } else if (request.method === 'POST' && !request.nextUrl.pathname.startsWith('/api/') && isForm(request)) {
    // Perhaps an action posted without JavaScript: Next.js decodes React's hidden fields before any code of ours.
    const form = await formOf(request);
    const malformed = form ? malformedFormAction(form) : 'the body is not a readable form';
    if (malformed) return problemResponse(400, 'Bad Request', `The form is malformed: ${malformed}.`);
  }
  const response = NextResponse.next();
  const proto = request.headers.get('x-forwarded-proto') ?? request.nextUrl.protocol.replace(':', '');
  if (proto === 'https') response.headers.set('Strict-Transport-Security', HSTS);
  return response;
}

/**
 * Next.js's own rule for an action's Origin, checked here so a mismatch is a 403 rather than a 500: the Origin's host
 * must be the Host, the first X-Forwarded-Host, or one of SERVER_ACTIONS_ALLOWED_ORIGINS (`*.example.com` allowed).
 */
function sameSiteAction(request: NextRequest): boolean {
  let origin: string;
  try {
    origin = new URL(request.headers.get('origin') ?? '').host;
  } catch {
    return false;
  }
  const hosts = [request.headers.get('host'), request.headers.get('x-forwarded-host')?.split(',')[0]?.trim()];
  if (hosts.includes(origin)) return true;
  return (process.env.SERVER_ACTIONS_ALLOWED_ORIGINS ?? '')
    .split(',')
    .map((pattern) => pattern.trim())
    .filter(Boolean)
    .some((pattern) =>
      pattern.startsWith('*.') ? origin.endsWith(pattern.slice(1)) && origin !== pattern.slice(2) : origin === pattern,
    );
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
