'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { PersonPicker, type PickedPerson } from '@/components/people/person-picker';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { clearEscalationAction, setEscalationAction } from '../actions';

export type EscalationValues = {
  name: string;
  person: PickedPerson | null;
  email: string | null;
  phone: string | null;
  pagerUrl: string | null;
  coverage: string;
};

/** Who is paged for the agent: a person or team, at least one way to reach them, and when. */
export function EscalationForm({
  agentId,
  version,
  contact,
}: {
  agentId: string;
  /** The agent's version: the contact is part of its record. */
  version: number;
  contact: EscalationValues | null;
}) {
  const [state, action, pending] = useActionState(setEscalationAction, INITIAL_ACTION_STATE);
  const id = useId();
  const errors = state.ok ? undefined : state.fieldErrors;
  const value = (name: keyof EscalationValues & string, fallback: string | null | undefined) =>
    String(submitted(state, name, fallback ?? ''));
  const text = (name: 'name' | 'email' | 'phone' | 'pagerUrl' | 'coverage', label: string, hint: string) => (
    <Field id={`${id}-${name}`} label={label} hint={hint} errors={errors?.[name]}>
      <input
        id={`${id}-${name}`}
        name={name}
        className={inputClass}
        defaultValue={value(name, contact?.[name])}
        {...describedBy(`${id}-${name}`, { hint: true, errors: errors?.[name] })}
      />
    </Field>
  );
  return (
    <form action={action} className="grid max-w-2xl gap-3 sm:grid-cols-2" aria-label="Escalation contact">
      <input type="hidden" name="agentId" value={agentId} />
      <input type="hidden" name="version" value={version} />
      {text('name', 'Who is paged', 'A person or a team, e.g. Payments on-call.')}
      <div className="flex flex-col gap-1">
        <PersonPicker name="userId" label="A person in Custodian (optional)" defaultValue={contact?.person} />
        {errors?.userId ? <p className="text-xs text-danger">{errors.userId.join(' ')}</p> : null}
      </div>
      {text('email', 'E-mail', 'Optional.')}
      {text('phone', 'Phone', 'Optional, e.g. +44 20 7946 0958.')}
      {text('pagerUrl', 'Pager URL', 'Optional: the https:// page of the pager or on-call schedule.')}
      {text('coverage', 'Hours of coverage', 'e.g. 24/7, or Mon–Fri 08:00–18:00 UTC.')}
      <div className="sm:col-span-2">
        <Button type="submit" disabled={pending}>
          Save escalation contact
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

/** Removes the contact (refused for an active HIGH or CRITICAL agent: the command says so). */
export function ClearEscalation({ agentId, version }: { agentId: string; version: number }) {
  const [state, action, pending] = useActionState(clearEscalationAction, INITIAL_ACTION_STATE);
  return (
    <form action={action} className="flex flex-col gap-1">
      <input type="hidden" name="agentId" value={agentId} />
      <input type="hidden" name="version" value={version} />
      <Button type="submit" size="sm" variant="outline" disabled={pending}>
        Remove escalation contact
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
