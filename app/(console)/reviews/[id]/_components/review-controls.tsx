'use client';

import { useActionState, useId, useState } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy } from '@/components/forms/field';
import { PersonPicker, type PickedPerson } from '@/components/people/person-picker';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { assignReviewerAction, completeReviewAction } from '../../actions';

type Item = { id: string; label: string; detail?: string };

const OUTCOMES = [
  {
    value: 'CERTIFIED',
    label: 'Certify',
    hint: 'Access still matches its purpose: nothing changes; the next review moves by the cadence.',
  },
  {
    value: 'SCOPE_REDUCED',
    label: 'Reduce scope',
    hint: 'Expire purposes, revoke credentials or revoke exceptions you choose below, now.',
  },
  {
    value: 'SUSPENDED',
    label: 'Suspend the agent',
    hint: 'It stops being in service until someone reactivates it. You may also reduce scope.',
  },
  {
    value: 'RETIRED',
    label: 'Retire the agent',
    hint: 'For good. Every credential must be revoked and every exception ended: choose them below.',
  },
] as const;

function Reductions({
  legend,
  name,
  items,
  chosen,
  empty,
}: {
  legend: string;
  name: string;
  items: Item[];
  chosen: string[];
  empty: string;
}) {
  return (
    <fieldset className="flex flex-col gap-1">
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      {items.length === 0 ? <p className="text-muted-foreground">{empty}</p> : null}
      {items.map((item) => (
        <label key={item.id} className="flex items-start gap-2">
          <input
            type="checkbox"
            name={name}
            value={item.id}
            defaultChecked={chosen.includes(item.id)}
            className="mt-1"
          />
          <span>
            {item.label}
            {item.detail ? <span className="block text-xs text-muted-foreground">{item.detail}</span> : null}
          </span>
        </label>
      ))}
    </fieldset>
  );
}

/** The reviewer's decision: an outcome, notes, and for a reduction exactly what to take away. */
export function CompleteReviewForm({
  reviewId,
  version,
  purposes,
  credentials,
  exceptions,
}: {
  reviewId: string;
  version: number;
  purposes: Item[];
  credentials: Item[];
  exceptions: Item[];
}) {
  const [state, action, pending] = useActionState(completeReviewAction, INITIAL_ACTION_STATE);
  const id = useId();
  const initialOutcome = submitted(state, 'outcome', 'CERTIFIED') as string;
  const [outcome, setOutcome] = useState(initialOutcome);
  const list = (name: string) => [submitted(state, name, [])].flat() as string[];
  const e = state.fieldErrors ?? {};
  return (
    <form key={state.attempt ?? 0} action={action} className="flex flex-col gap-4">
      <input type="hidden" name="reviewId" value={reviewId} />
      <input type="hidden" name="version" value={version} />
      <fieldset className="flex flex-col gap-2" {...describedBy(`${id}-outcome`, { errors: e.outcome })}>
        <legend className="mb-1 text-sm font-medium">Outcome</legend>
        {OUTCOMES.map((o) => (
          <label key={o.value} className="flex items-start gap-2">
            <input
              type="radio"
              name="outcome"
              value={o.value}
              defaultChecked={initialOutcome === o.value}
              onChange={() => setOutcome(o.value)}
              className="mt-1"
            />
            <span>
              <span className="font-medium">{o.label}</span>
              <span className="block text-xs text-muted-foreground">{o.hint}</span>
            </span>
          </label>
        ))}
        {e.outcome ? (
          <p id={`${id}-outcome-error`} className="text-xs text-danger">
            {e.outcome.join(' ')}
          </p>
        ) : null}
      </fieldset>
      {outcome !== 'CERTIFIED' ? (
        <div className="grid gap-4 rounded-md border p-3 md:grid-cols-3">
          <Reductions
            legend="Expire purposes"
            name="expirePurposes"
            items={purposes}
            chosen={list('expirePurposes')}
            empty="No purpose in effect."
          />
          <Reductions
            legend="Revoke credentials"
            name="revokeCredentials"
            items={credentials}
            chosen={list('revokeCredentials')}
            empty="No unrevoked credential."
          />
          <Reductions
            legend="Revoke exceptions in force"
            name="revokeExceptions"
            items={exceptions}
            chosen={list('revokeExceptions')}
            empty="No exception in force."
          />
        </div>
      ) : null}
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-notes`} className="text-sm font-medium">
          Notes
        </label>
        <textarea
          id={`${id}-notes`}
          name="notes"
          required
          minLength={3}
          rows={3}
          defaultValue={submitted(state, 'notes', '') as string}
          className="w-full rounded-md border border-input bg-background px-3 py-2 text-sm"
          placeholder="What you checked, and why this outcome"
          {...describedBy(`${id}-notes`, { errors: e.notes })}
        />
        {e.notes ? (
          <p id={`${id}-notes-error`} className="text-xs text-danger">
            {e.notes.join(' ')}
          </p>
        ) : null}
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? 'Completing…' : 'Complete review'}
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

/** A security lead hands the review to someone the reviewer rule allows. */
export function AssignReviewerForm({
  reviewId,
  version,
  current,
}: {
  reviewId: string;
  version: number;
  current: PickedPerson | null;
}) {
  const [state, action, pending] = useActionState(assignReviewerAction, INITIAL_ACTION_STATE);
  return (
    <form action={action} className="flex flex-wrap items-end gap-2">
      <input type="hidden" name="reviewId" value={reviewId} />
      <input type="hidden" name="version" value={version} />
      <PersonPicker
        name="reviewerId"
        label="Reviewer"
        defaultValue={current}
        placeholder="Someone the reviewer rule allows…"
        className="min-w-64 text-sm font-medium text-foreground"
      />
      <Button type="submit" variant="outline" disabled={pending}>
        Assign
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
