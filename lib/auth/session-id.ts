import 'server-only';
import { getServerSession } from 'next-auth';
import { connection } from 'next/server';
import { getAuthOptions } from './options';

/**
 * Whom the signed session cookie names. Only this reads the cookie. It waits
 * for a request first (`connection()`), so prerendering at build time never
 * reaches the session secret: a build needs no secret in its environment.
 */
export async function getSessionUserId(): Promise<string | null> {
  await connection();
  const session = await getServerSession(getAuthOptions());
  return session?.user?.id || null;
}
