import { forbidden, redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { getCurrentUser } from '@/lib/auth';

// Convenience only: every page and action below checks its own permission.
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect('/signin');
  // Signed in with no role: HTTP 403 and the "no access" page (app/forbidden.tsx).
  if (user.roles.length === 0) forbidden();
  return <AppShell user={user}>{children}</AppShell>;
}
