import 'server-only';
import { cache } from 'react';
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { getSessionUserId } from './session-id';

/** The person a session names, as the database knows them now; null if unknown or deactivated. */
export async function loadActor(userId: string | null): Promise<Actor | null> {
  if (!userId) return null;
  const user = await getDb().user.findUnique({
    where: { id: userId },
    select: { id: true, name: true, email: true, roles: true, active: true },
  });
  if (!user?.active) return null;
  return { id: user.id, name: user.name, email: user.email, roles: user.roles };
}

/**
 * The signed-in person, re-read on every request: a deactivated person or a
 * removed role loses access at once, not at token expiry.
 */
export const getCurrentUser = cache(async (): Promise<Actor | null> => loadActor(await getSessionUserId()));
