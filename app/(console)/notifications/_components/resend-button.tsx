'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/form-message';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { resendNotificationAction } from '../actions';

/** Sends a notification again with its same id (the receiver deduplicates on it) and fresh retries. */
export function ResendButton({ id, status, subject }: { id: string; status: string; subject: string }) {
  const [state, action, pending] = useActionState(resendNotificationAction, INITIAL_ACTION_STATE);
  return (
    <form action={action} className="flex flex-col items-start gap-1">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="status" value={status} />
      <Button type="submit" size="sm" variant="outline" disabled={pending} aria-label={`Send again: ${subject}`}>
        {pending ? 'Queuing…' : 'Send again'}
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
