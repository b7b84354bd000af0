'use client';

import { useActionState, useId } from 'react';
import { inputClass } from '@/components/forms/field';
import { FormMessage } from '@/components/form-message';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { decideExceptionAction, revokeExceptionAction, withdrawExceptionAction } from '../actions';

function ReasonForm({ label, action, exceptionId, children, extra }: { label: string; action: (payload: FormData) => void; exceptionId: string; children: React.ReactNode; extra?: React.ReactNode }) {
  const id = useId();
  return (
    <form action={action} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="exceptionId" value={exceptionId} />
      {extra}
      <div className="flex min-w-72 flex-1 flex-col gap-1">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        <input id={id} name="reason" required minLength={3} className={inputClass} />
      </div>
      {children}
    </form>
  );
}

export function DecideControls({ exceptionId, approvalsNeeded }: { exceptionId: string; approvalsNeeded: number }) {
  const [state, action, pending] = useActionState(decideExceptionAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-2">
      <p className="text-muted-foreground">
        {approvalsNeeded === 2 ? 'Break-glass on a critical agent: two distinct approvers are needed.' : 'One approval puts it in force.'}
      </p>
      <ReasonForm label="Reason for your decision" action={action} exceptionId={exceptionId}>
        <Button type="submit" name="outcome" value="APPROVE" disabled={pending}>
          Approve
        </Button>
        <Button type="submit" name="outcome" value="REJECT" variant="danger" disabled={pending}>
          Reject
        </Button>
      </ReasonForm>
      <FormMessage state={state} />
    </div>
  );
}

export function RevokeControl({ exceptionId }: { exceptionId: string }) {
  const [state, action, pending] = useActionState(revokeExceptionAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-2">
      <ReasonForm label="Reason for revoking early" action={action} exceptionId={exceptionId}>
        <Button type="submit" variant="danger" disabled={pending}>
          Revoke now
        </Button>
      </ReasonForm>
      <FormMessage state={state} />
    </div>
  );
}

export function WithdrawControl({ exceptionId }: { exceptionId: string }) {
  const [state, action, pending] = useActionState(withdrawExceptionAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-2">
      <ReasonForm label="Reason for withdrawing" action={action} exceptionId={exceptionId}>
        <Button type="submit" variant="outline" disabled={pending}>
          Withdraw request
        </Button>
      </ReasonForm>
      <FormMessage state={state} />
    </div>
  );
}
