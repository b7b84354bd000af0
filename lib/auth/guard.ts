import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import { can, type Actor, type Permission } from '@/lib/authz';
import { getCurrentUser } from './session';

/**
 * For server components: the signed-in person, or a redirect to sign-in, or
 * HTTP 403 (the segment's forbidden page) when they lack the permission.
 * Call it before any Suspense boundary — in the segment's layout, or in a
 * page with no loading.tsx above it — so the status is sent before streaming.
 */
export async function requirePageAccess(permission: Permission, returnTo: string): Promise<Actor> {
  const actor = await getCurrentUser();
  if (!actor) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  if (!can(actor, permission)) forbidden();
  return actor;
}
