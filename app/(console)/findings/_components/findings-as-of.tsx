'use client';

import { RefreshCw } from 'lucide-react';
import { useActionState } from 'react';
import { FormMessage } from '@/components/form-message';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { recomputeFindingsAction } from '../actions';

/** When the registry's findings were computed, and a way to recompute them now. */
export function FindingsAsOf({ asOf, canRecompute }: { asOf: string | null; canRecompute: boolean }) {
  const [state, recompute, pending] = useActionState(recomputeFindingsAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-1 text-muted-foreground">
      <div className="flex flex-wrap items-center gap-3">
        <span data-testid="findings-as-of">
          {asOf ? (
            <>
              As of{' '}
              <time dateTime={asOf} suppressHydrationWarning>
                {new Date(asOf).toLocaleString()}
              </time>
              : the rules run over the whole registry every 15 minutes. An agent’s own page shows its findings live.
            </>
          ) : (
            'Not computed yet: the rules run over the whole registry every 15 minutes.'
          )}
        </span>
        {canRecompute ? (
          <form action={recompute}>
            <Button type="submit" size="sm" variant="outline" disabled={pending}>
              <RefreshCw aria-hidden className={pending ? 'size-4 animate-spin' : 'size-4'} />{' '}
              {pending ? 'Recomputing…' : 'Recompute now'}
            </Button>
          </form>
        ) : null}
      </div>
      <FormMessage state={state} />
    </div>
  );
}
