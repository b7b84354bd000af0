import 'server-only';
import { getServerSession } from 'next-auth';
import { getAuthOptions } from './options';

/** Whom the signed session cookie names. Only this reads the cookie. */
export async function getSessionUserId(): Promise<string | null> {
  const session = await getServerSession(getAuthOptions());
  return session?.user?.id || null;
}
