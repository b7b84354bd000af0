'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { changeSettingAction } from '../actions';

export type SettingField =
  | { name: string; label: string; kind: 'number'; value: number; unit: string }
  | { name: string; label: string; kind: 'text'; value: string; hint?: string }
  | { name: string; label: string; kind: 'choices'; value: string[]; options: { value: string; label: string }[] };

/** Edits one section of the policy; the server validates it against the same schema it is read with. */
export function SettingForm({
  settingKey,
  version,
  fields,
}: {
  settingKey: string;
  version: number;
  fields: SettingField[];
}) {
  const [state, action, pending] = useActionState(changeSettingAction, INITIAL_ACTION_STATE);
  const id = useId();
  const e = state.fieldErrors ?? {};
  return (
    <form key={state.attempt ?? 0} action={action} className="mt-3 flex flex-col gap-3">
      <input type="hidden" name="key" value={settingKey} />
      <input type="hidden" name="version" value={version} />
      {fields.map((f) => {
        const fid = `${id}-${f.name}`;
        const errors = e[f.name];
        if (f.kind === 'choices') {
          const chosen = [submitted(state, f.name, f.value)].flat() as string[];
          return (
            <fieldset key={f.name} className="flex flex-wrap gap-3">
              <legend className="mb-1 text-sm font-medium">{f.label}</legend>
              {f.options.map((o) => (
                <label key={o.value} className="flex items-center gap-1">
                  <input type="checkbox" name={f.name} value={o.value} defaultChecked={chosen.includes(o.value)} />{' '}
                  {o.label}
                </label>
              ))}
              {errors ? <p className="w-full text-xs text-danger">{errors.join(' ')}</p> : null}
            </fieldset>
          );
        }
        return (
          <div key={f.name} className="flex flex-col gap-1">
            <label htmlFor={fid} className="text-sm font-medium">
              {f.label}
              {f.kind === 'number' ? <span className="font-normal text-muted-foreground"> ({f.unit})</span> : null}
            </label>
            <input
              id={fid}
              name={f.name}
              type={f.kind === 'number' ? 'number' : 'text'}
              min={f.kind === 'number' ? 1 : undefined}
              required
              defaultValue={submitted(state, f.name, String(f.value)) as string}
              className={inputClass}
              {...describedBy(fid, { errors })}
            />
            {errors ? (
              <p id={`${fid}-error`} className="text-xs text-danger">
                {errors.join(' ')}
              </p>
            ) : null}
          </div>
        );
      })}
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          Save
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
