import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { requirePageAccess } from '@/lib/auth';
import type { Actor, Permission } from '@/lib/authz';

type Props = { children: ReactNode; params: Promise<{ id: string }> };

/**
 * A record route's layout: the access check and the record lookup run here,
 * before the segment's loading boundary, so a forbidden page answers 403 and
 * a missing record 404 before anything streams. Pages read the same record
 * from the per-request cache.
 */
export function recordLayout(
  permission: Permission,
  path: (id: string) => string,
  exists: (actor: Actor, id: string) => Promise<unknown>,
) {
  return async function RecordLayout({ children, params }: Props) {
    const { id } = await params;
    const actor = await requirePageAccess(permission, path(id));
    if (!(await exists(actor, id))) notFound();
    return children;
  };
}
