'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/form-message';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE } from '@/lib/http/action-state';
import { NOTIFICATION_KIND_IDS, NOTIFICATION_KINDS } from '@/lib/notifications/kinds';
import { setPreferencesAction } from '../actions';

/** One checkbox per kind: checked, it is e-mailed. A page at 3 a.m. (break-glass) cannot be turned off. */
export function PreferencesForm({ muted }: { muted: string[] }) {
  const [state, action, pending] = useActionState(setPreferencesAction, INITIAL_ACTION_STATE);
  return (
    <form action={action} aria-label="E-mail preferences" className="flex max-w-3xl flex-col gap-3">
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 font-medium">E-mail me when</legend>
        {NOTIFICATION_KIND_IDS.map((kind) => {
          const def = NOTIFICATION_KINDS[kind];
          const required = 'required' in def;
          return (
            <label key={kind} className="flex items-start gap-2">
              <input
                type="checkbox"
                name="email"
                value={kind}
                defaultChecked={required || !muted.includes(kind)}
                disabled={required}
                className="mt-1"
              />
              <span>
                <span className="font-medium">{def.title}</span>
                <span className="block text-xs text-muted-foreground">
                  To: {def.to}.{required ? ' Always e-mailed: it pages the people who must decide.' : ''}
                </span>
              </span>
            </label>
          );
        })}
      </fieldset>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : 'Save preferences'}
        </Button>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
