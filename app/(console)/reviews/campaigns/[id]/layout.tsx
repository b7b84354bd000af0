import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { requirePageAccess } from '@/lib/auth';
import { getCampaign } from '@/lib/reviews/queries';

// The access check and the record lookup run here, before the segment's
// loading boundary: a missing campaign answers 404 before anything streams.
// The page reads the same record from the per-request cache.
export default async function RecordLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ id: string }>;
}) {
  const { id } = await params;
  const actor = await requirePageAccess('agent.read', `/reviews/campaigns/${id}`);
  if (!(await getCampaign(actor, id))) notFound();
  return children;
}
