import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { requirePageAccess } from '@/lib/auth';
import { FRAMEWORKS } from '@/lib/policy/frameworks';

// The access check and the lookup run here, before the loading boundary: an
// unknown framework answers 404 before anything streams.
export default async function FrameworkLayout({
  children,
  params,
}: {
  children: ReactNode;
  params: Promise<{ id: string }>;
}) {
  const { id } = await params;
  await requirePageAccess('findings.read', `/findings/frameworks/${id}`);
  if (!FRAMEWORKS.some((f) => f.id === id)) notFound();
  return children;
}
