import type { Metadata } from 'next';
import Link from 'next/link';
import { PageHeader } from '@/components/page-header';
import { requirePageAccess } from '@/lib/auth';
import { mutedKinds } from '@/lib/notifications/queries';
import { PreferencesForm } from '../_components/preferences-form';

export const metadata: Metadata = { title: 'Notification preferences' };
export const dynamic = 'force-dynamic';

export default async function PreferencesPage() {
  const actor = await requirePageAccess('notifications.read', '/notifications/preferences');
  const muted = await mutedKinds(actor);
  return (
    <>
      <PageHeader
        title="Notification preferences"
        description={
          <>
            Which notifications reach you by e-mail{actor.email ? ` (${actor.email})` : ''}. Every one of them is also
            in <Link href="/notifications">your notifications</Link> here, whatever you choose.
          </>
        }
      />
      <PreferencesForm muted={muted} />
    </>
  );
}
