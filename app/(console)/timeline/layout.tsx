import type { ReactNode } from 'react';
import { requirePageAccess } from '@/lib/auth';

// The access check runs here, outside the segment's loading boundary, so a
// role that may not see /timeline gets HTTP 403 before anything streams.
export default async function TimelineLayout({ children }: { children: ReactNode }) {
  await requirePageAccess('audit.read', '/timeline');
  return children;
}
