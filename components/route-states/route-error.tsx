'use client';

import { TriangleAlert } from 'lucide-react';
import { EmptyState } from '@/components/empty-state';
import { Button } from '@/components/ui/button';

/** A segment's error boundary: what went wrong, that nothing changed, and a retry. */
export function RouteError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <EmptyState page icon={TriangleAlert} title="This page could not be loaded">
      <p>Something went wrong on our side while reading it; nothing was changed.</p>
      {error.digest ? <p className="mt-1 font-mono text-xs">Reference: {error.digest}</p> : null}
      <Button className="mt-3" variant="outline" onClick={reset}>
        Try again
      </Button>
    </EmptyState>
  );
}
