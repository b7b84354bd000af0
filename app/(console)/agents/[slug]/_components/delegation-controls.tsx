'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { ReasonForm } from '@/components/forms/reason-form';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { ENVIRONMENT, optionsOf } from '@/lib/vocabulary';
import { approveDelegationAction, requestDelegationAction, revokeDelegationAction } from '../actions';

/** The agent's owner asks that it may act for another agent. */
export function RequestDelegationForm({ delegateId, maxDays }: { delegateId: string; maxDays: number }) {
  const [state, action, pending] = useActionState(requestDelegationAction, INITIAL_ACTION_STATE);
  const id = useId();
  const e = state.fieldErrors ?? {};
  const value = (name: string, fallback = '') => String(submitted(state, name, fallback));
  return (
    <form
      key={state.attempt ?? 0}
      action={action}
      aria-label="Let this agent act for another"
      className="flex max-w-2xl flex-col gap-3"
      noValidate
    >
      <input type="hidden" name="delegateId" value={delegateId} />
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={`${id}-principal`} label="Acts for (agent slug)" errors={e.principal}>
          <input
            id={`${id}-principal`}
            name="principal"
            defaultValue={value('principal')}
            className={`${inputClass} font-mono`}
            {...describedBy(`${id}-principal`, { errors: e.principal })}
          />
        </Field>
        <Field id={`${id}-tasks`} label="Tasks or tools" hint="Comma-separated, e.g. deploy, github" errors={e.tasks}>
          <input
            id={`${id}-tasks`}
            name="tasks"
            defaultValue={value('tasks')}
            className={inputClass}
            {...describedBy(`${id}-tasks`, { hint: true, errors: e.tasks })}
          />
        </Field>
        <Field id={`${id}-days`} label="Days, from approval" hint={`At most ${maxDays} under policy.`} errors={e.days}>
          <input
            id={`${id}-days`}
            name="days"
            type="number"
            min={1}
            max={maxDays}
            defaultValue={value('days', String(Math.min(7, maxDays)))}
            className={inputClass}
            {...describedBy(`${id}-days`, { hint: true, errors: e.days })}
          />
        </Field>
        <fieldset className="flex flex-col gap-1">
          <legend className="text-sm font-medium">Environments</legend>
          <div className="flex gap-4">
            {optionsOf(ENVIRONMENT).map((o) => (
              <label key={o.value} className="flex items-center gap-1.5 text-sm">
                <input
                  type="checkbox"
                  name="environments"
                  value={o.value}
                  defaultChecked={(submitted(state, 'environments', []) as string[]).includes(o.value)}
                />
                {o.label}
              </label>
            ))}
          </div>
          {e.environments?.length ? <p className="text-xs text-danger">{e.environments.join(' ')}</p> : null}
        </fieldset>
      </div>
      <Field id={`${id}-why`} label="Why it acts for that agent" errors={e.justification}>
        <textarea
          id={`${id}-why`}
          name="justification"
          rows={2}
          defaultValue={value('justification')}
          className={`${inputClass} h-auto py-2`}
          {...describedBy(`${id}-why`, { errors: e.justification })}
        />
      </Field>
      <div className="flex items-center gap-3">
        <Button type="submit" size="sm" disabled={pending}>
          {pending ? 'Requesting…' : 'Request delegation'}
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

/** Approve a waiting delegation, or revoke (refuse) one, with a reason; the outcome stays after the form goes. */
export function DelegationDecision({
  grantId,
  canApprove,
  canRevoke,
  pending,
}: {
  grantId: string;
  canApprove: boolean;
  canRevoke: boolean;
  pending: boolean;
}) {
  const [approved, approve, approving] = useActionState(approveDelegationAction, INITIAL_ACTION_STATE);
  const [revoked, revoke, revoking] = useActionState(revokeDelegationAction, INITIAL_ACTION_STATE);
  return (
    <div className="flex flex-col gap-2">
      {canApprove ? (
        <ReasonForm label="Reason for approving" action={approve} hidden={{ grantId }}>
          <Button type="submit" size="sm" disabled={approving}>
            Approve delegation
          </Button>
        </ReasonForm>
      ) : null}
      {canRevoke ? (
        <ReasonForm
          label={pending ? 'Reason for refusing' : 'Reason for revoking'}
          action={revoke}
          hidden={{ grantId }}
        >
          <Button type="submit" size="sm" variant="danger" disabled={revoking}>
            {pending ? 'Refuse request' : 'Revoke delegation'}
          </Button>
        </ReasonForm>
      ) : null}
      {/* Outside the forms: the answer stays when the decision removes the form it came from. */}
      {approved.message ? <FormMessage state={approved} /> : null}
      {revoked.message ? <FormMessage state={revoked} /> : null}
    </div>
  );
}
