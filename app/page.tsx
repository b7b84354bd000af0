import { forbidden } from 'next/navigation';
import { AppShell } from '@/components/shell/app-shell';
import { getCurrentUser } from '@/lib/auth';
import { Dashboard } from './_components/dashboard';
import { Landing } from './_components/landing';

export const dynamic = 'force-dynamic';

/** Signed out: what Custodian is. Signed in: the posture dashboard. */
export default async function HomePage() {
  const user = await getCurrentUser();
  if (!user) return <Landing />;
  if (user.roles.length === 0) forbidden();
  return (
    <AppShell user={user}>
      <Dashboard actor={user} />
    </AppShell>
  );
}
