'use client';

import { useActionState, useState } from 'react';
import { useUrlState } from '@/components/data-table/use-url-state';
import { FormMessage } from '@/components/form-message';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { PersonPicker, type PickedPerson } from '@/components/people/person-picker';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, type ActionState } from '@/lib/http/action-state';
import type { HoldingRow } from '@/lib/ownership/queries';
import { bulkReassignAction } from '../actions';

type Plan = { agents: HoldingRow[]; successor: string };

/**
 * When someone leaves: choose them, see everything they own or control,
 * untick what should stay, choose the successor, give a reason — then review
 * exactly what will move and confirm.
 */
export function BulkReassign({ from, holdings }: { from: PickedPerson | null; holdings: HoldingRow[] }) {
  const { setParams } = useUrlState();
  const [successor, setSuccessor] = useState<PickedPerson | null>(null);
  const [plan, setPlan] = useState<Plan | null>(null);
  const [state, action, pending] = useActionState(async (previous: ActionState, form: FormData) => {
    const next = await bulkReassignAction(previous, form);
    setPlan(null);
    return next;
  }, INITIAL_ACTION_STATE);
  const errors = state.fieldErrors ?? {};
  return (
    <div className="flex flex-col gap-3">
      <PersonPicker
        key={from?.id ?? ''}
        name="from"
        label="Person whose agents move"
        active="any"
        defaultValue={from}
        className="max-w-md text-sm font-medium text-foreground"
        onPick={(id) => setParams({ from: id || null }, { resetPage: false })}
      />
      {from ? (
        holdings.length === 0 ? (
          <p className="text-muted-foreground">They own and control no agent in service: nothing to move.</p>
        ) : (
          <form
            action={action}
            className="flex flex-col gap-3"
            onSubmit={(event) => {
              if (plan) return;
              // First press: show what will move; the confirmation submits.
              event.preventDefault();
              const form = new FormData(event.currentTarget);
              const ticked = new Set(form.getAll('agentIds'));
              setPlan({
                agents: holdings.filter((h) => ticked.has(h.id)),
                successor: successor?.name ?? successor?.email ?? 'nobody chosen yet',
              });
            }}
          >
            <input type="hidden" name="fromUserId" value={from.id} />
            <input type="hidden" name="selection" value="1" />
            <fieldset
              disabled={Boolean(plan)}
              className="flex max-h-72 flex-col gap-1 overflow-y-auto rounded-md border p-2"
            >
              <legend className="px-1 text-sm font-medium">What will move ({holdings.length} agents)</legend>
              {holdings.map((h) => (
                <label key={h.id} className="flex items-center gap-2">
                  <input type="checkbox" name="agentIds" value={h.id} defaultChecked />
                  <span className="font-medium">{h.name}</span>
                  <span className="text-xs text-muted-foreground">{h.roles.join(', ')}</span>
                </label>
              ))}
              {errors.agentIds?.length ? <p className="text-xs text-danger">{errors.agentIds.join(' ')}</p> : null}
            </fieldset>
            {plan
              ? // A disabled fieldset submits nothing: carry the ticked agents here.
                plan.agents.map((a) => <input key={a.id} type="hidden" name="agentIds" value={a.id} />)
              : null}
            <PersonPicker
              name="toUserId"
              label="Successor"
              className="max-w-md text-sm font-medium text-foreground"
              invalid={Boolean(errors.toUserId)}
              onPick={(_, person) => {
                setSuccessor(person);
                setPlan(null);
              }}
            />
            {errors.toUserId ? <p className="text-xs text-danger">{errors.toUserId.join(' ')}</p> : null}
            <Field id="bulk-reason" label="Reason" errors={errors.reason}>
              <input
                id="bulk-reason"
                name="reason"
                className={inputClass}
                placeholder="e.g. Left the company; handover to successor"
                {...describedBy('bulk-reason', { errors: errors.reason })}
              />
            </Field>
            {plan ? (
              <div
                role="region"
                aria-label="Confirm reassignment"
                className="rounded-md border border-warning/40 bg-warning/10 p-3"
              >
                <p className="font-medium">
                  {plan.agents.length} {plan.agents.length === 1 ? 'agent moves' : 'agents move'} from{' '}
                  {from.name ?? from.email} to {plan.successor}:
                </p>
                <ul className="mt-1 max-h-40 list-disc overflow-y-auto pl-5 text-sm">
                  {plan.agents.map((a) => (
                    <li key={a.id}>
                      {a.name} — {a.roles.join(', ')}
                    </li>
                  ))}
                </ul>
                <p className="mt-1 text-xs text-muted-foreground">
                  Each changed assignment is its own timeline event; owner changes open a review.
                </p>
                <div className="mt-2 flex gap-2">
                  <Button type="submit" disabled={pending || plan.agents.length === 0}>
                    {pending ? 'Moving…' : 'Confirm reassignment'}
                  </Button>
                  <Button type="button" variant="outline" onClick={() => setPlan(null)}>
                    Back
                  </Button>
                </div>
              </div>
            ) : (
              <div className="flex items-center gap-3">
                <Button type="submit">Review the move</Button>
              </div>
            )}
          </form>
        )
      ) : null}
      {/* Outside the form: after a full handover the list it belongs to is empty. */}
      <FormMessage state={state} />
    </div>
  );
}
