import { Clock } from 'lucide-react';
import { readSourceNotice } from '@/lib/db/replica';

/** On pages read from the replica: says so while it is behind, and since when (nothing otherwise). */
export async function ReplicaNotice() {
  const notice = await readSourceNotice();
  if (!notice) return null;
  return (
    <p
      role="status"
      data-testid="replica-notice"
      className="flex items-center gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-sm"
    >
      <Clock aria-hidden className="size-4 shrink-0" />
      {notice}
    </p>
  );
}
