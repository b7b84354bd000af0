'use client';

import { useActionState } from 'react';
import { useUrlState } from '@/components/data-table/use-url-state';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { FormMessage } from '@/components/form-message';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import type { HoldingRow } from '@/lib/ownership/queries';
import { bulkReassignAction } from '../actions';

type Person = { id: string; name: string | null; active: boolean };

/**
 * When someone leaves: choose them, see everything they own or control,
 * untick what should stay, choose the successor, give a reason.
 */
export function BulkReassign({ people, from, holdings }: { people: Person[]; from: string | null; holdings: HoldingRow[] }) {
  const { setParams } = useUrlState();
  const [state, action, pending] = useActionState(bulkReassignAction, INITIAL_ACTION_STATE);
  const errors = state.fieldErrors ?? {};
  return (
    <div className="flex flex-col gap-3">
      <Field id="bulk-from" label="Person whose agents move">
        <select id="bulk-from" className={inputClass} value={from ?? ''} onChange={(e) => setParams({ from: e.target.value || null }, { resetPage: false })}>
          <option value="">Choose a person…</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
              {p.active ? '' : ' (deactivated)'}
            </option>
          ))}
        </select>
      </Field>
      {from ? (
        holdings.length === 0 ? (
          <p className="text-muted-foreground">They own and control no agent in service: nothing to move.</p>
        ) : (
          <form action={action} className="flex flex-col gap-3">
            <input type="hidden" name="fromUserId" value={from} />
            <input type="hidden" name="selection" value="1" />
            <fieldset className="flex max-h-72 flex-col gap-1 overflow-y-auto rounded-md border p-2">
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
            <Field id="bulk-to" label="Successor" errors={errors.toUserId}>
              <select id="bulk-to" name="toUserId" className={inputClass} defaultValue="" {...describedBy('bulk-to', { errors: errors.toUserId })}>
                <option value="" disabled>
                  Choose a person…
                </option>
                {people
                  .filter((p) => p.active && p.id !== from)
                  .map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
              </select>
            </Field>
            <Field id="bulk-reason" label="Reason" errors={errors.reason}>
              <input id="bulk-reason" name="reason" className={inputClass} placeholder="e.g. Left the company; handover to successor" {...describedBy('bulk-reason', { errors: errors.reason })} />
            </Field>
            <div className="flex items-center gap-3">
              <Button type="submit" disabled={pending}>
                {pending ? 'Moving…' : 'Reassign the ticked agents'}
              </Button>
            </div>
          </form>
        )
      ) : null}
      {/* Outside the form: after a full handover the list it belongs to is empty. */}
      <FormMessage state={state} />
    </div>
  );
}
