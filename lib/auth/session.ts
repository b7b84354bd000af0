import 'server-only';
import { getServerSession } from 'next-auth';
import { cache } from 'react';
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { getAuthOptions } from './options';

/**
 * The signed-in person, read from the database on every request: a
 * deactivated person or a removed role loses access at once, not at token
 * expiry. Null when signed out or deactivated.
 */
export const getCurrentUser = cache(async (): Promise<Actor | null> => {
  const session = await getServerSession(getAuthOptions());
  const id = session?.user?.id;
  if (!id) return null;
  const user = await getDb().user.findUnique({
    where: { id },
    select: { id: true, name: true, email: true, roles: true, active: true },
  });
  if (!user?.active) return null;
  return { id: user.id, name: user.name, email: user.email, roles: user.roles };
});
