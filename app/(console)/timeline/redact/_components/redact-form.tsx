'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import type { EventField } from '@/lib/redactions/queries';
import { requestRedactionAction } from '../actions';

/** A security lead picks the fields holding a leaked value and says why; an auditor decides on Changes. */
export function RedactForm({ seq, fields }: { seq: string; fields: EventField[] }) {
  const [state, action, pending] = useActionState(requestRedactionAction, INITIAL_ACTION_STATE);
  const reasonId = useId();
  const errors = state.ok ? undefined : state.fieldErrors;
  const redactable = fields.filter((f) => f.redactable);
  if (redactable.length === 0) {
    return <p className="text-muted-foreground">No field of this event can be redacted now.</p>;
  }
  return (
    <form action={action} className="flex max-w-xl flex-col gap-3" aria-label="Ask for a redaction">
      <input type="hidden" name="seq" value={seq} />
      <fieldset className="flex flex-col gap-1" aria-describedby={errors?.pointers ? 'pointers-error' : undefined}>
        <legend className="text-sm font-medium">Fields to redact</legend>
        {redactable.map((f) => (
          <label key={f.pointer} className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="pointers" value={f.pointer} />
            <span className="font-mono">{f.pointer}</span>
          </label>
        ))}
        {errors?.pointers ? (
          <p id="pointers-error" className="text-xs text-danger">
            {errors.pointers.join(' ')}
          </p>
        ) : null}
      </fieldset>
      <Field id={reasonId} label="Why" hint="Say what leaked, without repeating it." errors={errors?.reason}>
        <textarea
          id={reasonId}
          name="reason"
          rows={3}
          className={`${inputClass} h-auto py-2`}
          {...describedBy(reasonId, { hint: true, errors: errors?.reason })}
        />
      </Field>
      <div>
        <Button type="submit" disabled={pending}>
          Ask an auditor to redact
        </Button>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
