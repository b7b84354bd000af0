'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { decideExceptionAction, revokeExceptionAction, withdrawExceptionAction } from '../actions';

function ReasonForm({
  label,
  action,
  exceptionId,
  children,
}: {
  label: string;
  action: (payload: FormData) => void;
  exceptionId: string;
  children: React.ReactNode;
}) {
  const id = useId();
  return (
    <form action={action} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="exceptionId" value={exceptionId} />
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
        {approvalsNeeded === 2
          ? 'Break-glass on a critical agent: two distinct approvers are needed.'
          : 'One approval puts it in force.'}
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

/** Ends an exception (revoke early, or withdraw a request), with a reason. */
function EndControl({
  exceptionId,
  action: serverAction,
  label,
  button,
  variant,
}: {
  exceptionId: string;
  action: typeof revokeExceptionAction;
  label: string;
  button: string;
  variant: 'danger' | 'outline';
}) {
  const [state, action, pending] = useActionState(serverAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-2">
      <ReasonForm label={label} action={action} exceptionId={exceptionId}>
        <Button type="submit" variant={variant} disabled={pending}>
          {button}
        </Button>
      </ReasonForm>
      <FormMessage state={state} />
    </div>
  );
}

export function RevokeControl({ exceptionId }: { exceptionId: string }) {
  return (
    <EndControl
      exceptionId={exceptionId}
      action={revokeExceptionAction}
      label="Reason for revoking early"
      button="Revoke now"
      variant="danger"
    />
  );
}

export function WithdrawControl({ exceptionId }: { exceptionId: string }) {
  return (
    <EndControl
      exceptionId={exceptionId}
      action={withdrawExceptionAction}
      label="Reason for withdrawing"
      button="Withdraw request"
      variant="outline"
    />
  );
}
