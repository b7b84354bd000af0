import 'server-only';
import { redirect } from 'next/navigation';
import { can, PERMISSIONS, type Actor, type Permission } from '@/lib/authz';
import { getCurrentUser } from './session';

export type PageAccess = { actor: Actor; denied: null } | { actor: Actor; denied: string };

/**
 * For server components: the signed-in person, or a redirect to sign-in.
 * `denied` carries the reason when they lack the permission; the page shows
 * it instead of the data. Every page that reads governed data calls this.
 */
export async function getPageAccess(permission: Permission, returnTo: string): Promise<PageAccess> {
  const actor = await getCurrentUser();
  if (!actor) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  if (!can(actor, permission)) {
    return { actor, denied: `Your roles do not include permission to ${PERMISSIONS[permission].toLowerCase()}.` };
  }
  return { actor, denied: null };
}
