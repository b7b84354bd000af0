'use client';

import { useActionState, useId, useState } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { NOTIFICATION_KIND_IDS, NOTIFICATION_KINDS } from '@/lib/notifications/kinds';
import { createEndpointAction, updateEndpointAction } from '../actions';

export type EndpointValues = {
  id: string;
  version: number;
  name: string;
  channel: 'WEBHOOK' | 'SLACK';
  url: string;
  secretRef: string | null;
  kinds: string[];
  active: boolean;
};

/** Adds an endpoint, or edits one (turning it off included). The server checks where the URL goes before saving. */
export function EndpointForm({ endpoint }: { endpoint?: EndpointValues }) {
  const [state, action, pending] = useActionState(
    endpoint ? updateEndpointAction : createEndpointAction,
    INITIAL_ACTION_STATE,
  );
  const id = useId();
  const e = state.ok ? {} : (state.fieldErrors ?? {});
  const value = (name: string, fallback: string) => String(submitted(state, name, fallback));
  const [channel, setChannel] = useState(value('channel', endpoint?.channel ?? 'WEBHOOK'));
  const kinds = [submitted(state, 'kinds', endpoint?.kinds ?? [])].flat() as string[];
  const label = endpoint ? `Edit ${endpoint.name}` : 'Add an endpoint';
  return (
    <form key={state.attempt ?? 0} action={action} aria-label={label} className="flex max-w-3xl flex-col gap-3">
      {endpoint ? (
        <>
          <input type="hidden" name="id" value={endpoint.id} />
          <input type="hidden" name="version" value={endpoint.version} />
        </>
      ) : null}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={`${id}-name`} label="Name" errors={e.name}>
          <input
            id={`${id}-name`}
            name="name"
            className={inputClass}
            defaultValue={value('name', endpoint?.name ?? '')}
            {...describedBy(`${id}-name`, { errors: e.name })}
          />
        </Field>
        <Field id={`${id}-channel`} label="Kind of endpoint" errors={e.channel}>
          <select
            id={`${id}-channel`}
            name="channel"
            className={inputClass}
            value={channel}
            onChange={(ev) => setChannel(ev.target.value)}
            {...describedBy(`${id}-channel`, { errors: e.channel })}
          >
            <option value="WEBHOOK">Signed webhook (JSON)</option>
            <option value="SLACK">Slack incoming webhook</option>
          </select>
        </Field>
        <Field
          id={`${id}-url`}
          label={channel === 'SLACK' ? 'Reference to the Slack webhook URL' : 'URL'}
          hint={
            channel === 'SLACK'
              ? 'Slack’s URL is its secret: env:NAME or file:/path where the server reads it.'
              : 'https://…; loopback and private addresses are refused unless the operator allows them.'
          }
          errors={e.url}
        >
          <input
            id={`${id}-url`}
            name="url"
            className={`${inputClass} font-mono`}
            defaultValue={value('url', endpoint?.url ?? '')}
            {...describedBy(`${id}-url`, { hint: true, errors: e.url })}
          />
        </Field>
        {channel === 'WEBHOOK' ? (
          <Field
            id={`${id}-secret`}
            label="Signing secret reference"
            hint="env:NAME or file:/path. Never the secret itself: it signs Custodian-Signature."
            errors={e.secretRef}
          >
            <input
              id={`${id}-secret`}
              name="secretRef"
              className={`${inputClass} font-mono`}
              defaultValue={value('secretRef', endpoint?.secretRef ?? '')}
              {...describedBy(`${id}-secret`, { hint: true, errors: e.secretRef })}
            />
          </Field>
        ) : null}
      </div>
      <fieldset className="flex flex-col gap-1">
        <legend className="mb-1 text-sm font-medium">Kinds it receives (none checked: every kind)</legend>
        <div className="grid gap-1 sm:grid-cols-2">
          {NOTIFICATION_KIND_IDS.map((kind) => (
            <label key={kind} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="kinds" value={kind} defaultChecked={kinds.includes(kind)} />
              {NOTIFICATION_KINDS[kind].title}
            </label>
          ))}
        </div>
        {e.kinds ? <p className="text-xs text-danger">{e.kinds.join(' ')}</p> : null}
      </fieldset>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="active" defaultChecked={endpoint ? endpoint.active : true} /> On: send to it
      </label>
      <div>
        <Button type="submit" disabled={pending}>
          {pending ? 'Checking and saving…' : endpoint ? 'Save endpoint' : 'Add endpoint'}
        </Button>
      </div>
      <FormMessage state={state} />
    </form>
  );
}
