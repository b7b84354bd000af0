import { NextResponse, type NextRequest } from 'next/server';
import { HSTS } from './lib/http/security-headers';

// Adds HSTS when the request reached us over https (directly or via a proxy
// that says so). Not an access check: every page, action and route checks its
// own permission on the server.
export function proxy(request: NextRequest) {
  const response = NextResponse.next();
  const proto = request.headers.get('x-forwarded-proto') ?? request.nextUrl.protocol.replace(':', '');
  if (proto === 'https') response.headers.set('Strict-Transport-Security', HSTS);
  return response;
}

export const config = { matcher: ['/((?!_next/static|_next/image|favicon.ico).*)'] };
