import { SearchX } from 'lucide-react';
import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';

/** A segment's 404: what is missing and where to look instead. */
export function RouteNotFound({ what, back, backLabel }: { what: string; back: string; backLabel: string }) {
  return (
    <EmptyState page icon={SearchX} title={`No such ${what}`}>
      <p>It may have been mistyped, or the link is older than the record.</p>
      <Link href={back} className="mt-2 inline-block text-primary underline underline-offset-2">
        {backLabel}
      </Link>
    </EmptyState>
  );
}
