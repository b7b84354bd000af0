import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { getAuthOptions } from '@/lib/auth';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request, not at import, so a build never needs the secret.
async function handler(request: NextRequest, context: Context) {
  return NextAuth(request as never, context as never, getAuthOptions());
}

export { handler as GET, handler as POST };
