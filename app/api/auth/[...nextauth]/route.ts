import NextAuth from 'next-auth';
import type { NextRequest } from 'next/server';
import { getAuthOptions } from '@/lib/auth';
import { asProblem, methodNotAllowed, problem, problemFrom } from '@/lib/http/problem';

type Context = { params: Promise<{ nextauth: string[] }> };

// Options are built per request, not at import, so a build never needs the secret. next-auth answers its errors
// in plain text; they leave as problem JSON like every other /api error.
async function handler(request: NextRequest, context: Context) {
  // next-auth's `_log` action (on while a server logger is set) writes whatever anyone posts, unauthenticated, as an
  // error line: the log is not theirs to write in.
  if ((await context.params).nextauth[0] === '_log') return problem(404, 'There is no such sign-in action.');
  try {
    return await asProblem(await NextAuth(request as never, context as never, getAuthOptions()));
  } catch (error) {
    // next-auth reads a JSON body itself, and throws on one that does not parse.
    if (error instanceof SyntaxError) return problem(400, 'The request body could not be read.');
    return problemFrom(error);
  }
}

const refuse = methodNotAllowed('GET', 'POST');
export { handler as GET, handler as POST, refuse as PUT, refuse as PATCH, refuse as DELETE };
