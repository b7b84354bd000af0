import 'server-only';
import { getDb } from '@/lib/db';
import { getEnv } from '@/lib/env';

/**
 * Demo sign-in (pick a seeded person) is for the embedded default: on when no
 * OIDC provider is configured outside production, or when AUTH_DEMO=true.
 * AUTH_DEMO=false turns it off everywhere. Never on by default in production.
 */
export function isDemoSignInEnabled(): boolean {
  const env = getEnv();
  if (env.AUTH_DEMO) return env.AUTH_DEMO === 'true';
  return !env.OIDC_ISSUER && env.NODE_ENV !== 'production';
}

export type DemoPerson = { id: string; name: string | null; email: string | null; roles: string[] };

/** Active people with at least one role, one card each on the sign-in page. */
export async function listDemoPeople(): Promise<DemoPerson[]> {
  if (!isDemoSignInEnabled()) return [];
  return getDb().user.findMany({
    where: { active: true, NOT: { roles: { isEmpty: true } } },
    select: { id: true, name: true, email: true, roles: true },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    take: 12,
  });
}
