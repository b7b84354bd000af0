import type { ReactNode } from 'react';
import { requirePageAccess } from '@/lib/auth';

// The access check runs here, outside the segment's loading boundary (403 before anything streams).
export default async function ChangesLayout({ children }: { children: ReactNode }) {
  await requirePageAccess('change.read', '/changes');
  return children;
}
