import { redirect } from 'next/navigation';
import type { ReactNode } from 'react';
import { AppShell } from '@/components/shell/app-shell';
import { NoAccess } from '@/components/no-access';
import { getCurrentUser } from '@/lib/auth';

// Convenience only: every page and action below checks its own permission.
export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect('/signin');
  if (user.roles.length === 0) return <NoAccess user={user} />;
  return <AppShell user={user}>{children}</AppShell>;
}
