import { CircleAlert, CircleCheck } from 'lucide-react';
import type { ActionState } from '@/lib/http/action-state';

/** The outcome of a form, announced to screen readers. */
export function FormMessage({ state }: { state: ActionState }) {
  return (
    <p role="status" aria-live="polite" className={state.ok ? 'text-success' : 'text-danger'}>
      {state.message ? (
        <span className="inline-flex items-center gap-1">
          {state.ok ? <CircleCheck aria-hidden className="size-4" /> : <CircleAlert aria-hidden className="size-4" />}
          {state.message}
        </span>
      ) : null}
    </p>
  );
}
