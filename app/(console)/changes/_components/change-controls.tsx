'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { decideChangeAction, withdrawChangeAction } from '../actions';

/** Approve (apply) or reject a change someone else asked for, with a reason. */
export function DecideChange({ changeRequestId, version }: { changeRequestId: string; version: number }) {
  const [state, action, pending] = useActionState(decideChangeAction, INITIAL_ACTION_STATE);
  const id = useId();
  return (
    <form action={action} className="flex flex-col gap-1">
      <input type="hidden" name="changeRequestId" value={changeRequestId} />
      <input type="hidden" name="version" value={version} />
      <label htmlFor={id} className="sr-only">
        Reason for your decision
      </label>
      <input id={id} name="reason" className={`${inputClass} h-8`} placeholder="Reason for your decision" />
      <div className="flex gap-2">
        <Button type="submit" name="outcome" value="APPROVE" size="sm" disabled={pending}>
          Approve and apply
        </Button>
        <Button type="submit" name="outcome" value="REJECT" size="sm" variant="outline" disabled={pending}>
          Reject
        </Button>
      </div>
      <FormMessage state={state} />
    </form>
  );
}

/** The requester takes back a pending change. */
export function WithdrawChange({ changeRequestId, version }: { changeRequestId: string; version: number }) {
  const [state, action, pending] = useActionState(withdrawChangeAction, INITIAL_ACTION_STATE);
  return (
    <form action={action} className="flex flex-col gap-1">
      <input type="hidden" name="changeRequestId" value={changeRequestId} />
      <input type="hidden" name="version" value={version} />
      <Button type="submit" size="sm" variant="outline" disabled={pending}>
        Withdraw
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
