'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/form-message';
import { ReasonForm } from '@/components/forms/reason-form';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { decideExceptionAction, revokeExceptionAction, withdrawExceptionAction } from '../actions';

export function DecideControls({ exceptionId, approvalsNeeded }: { exceptionId: string; approvalsNeeded: number }) {
  const [state, action, pending] = useActionState(decideExceptionAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-2">
      <p className="text-muted-foreground">
        {approvalsNeeded === 2
          ? 'A break-glass or persistent token on a critical agent: two distinct approvers are needed.'
          : 'One approval puts it in force.'}
      </p>
      <ReasonForm label="Reason for your decision" action={action} hidden={{ exceptionId }}>
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
      <ReasonForm label={label} action={action} hidden={{ exceptionId }}>
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
