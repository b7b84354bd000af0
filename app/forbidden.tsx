import { NoAccess } from '@/components/no-access';
import { getCurrentUser } from '@/lib/auth';
import { AccessDenied } from '@/components/access-denied';

/** HTTP 403 outside the console shell: signed in with no Custodian role at all. */
export default async function Forbidden() {
  const user = await getCurrentUser();
  return user ? (
    <NoAccess user={user} />
  ) : (
    <main id="main" className="p-8">
      <AccessDenied />
    </main>
  );
}
