'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { AGENT_KIND, AGENT_STATUS, ENVIRONMENT, optionsOf, RISK_TIER } from '@/lib/vocabulary';
import { closeCampaignAction, startCampaignAction } from '../../actions';

const GROUPS = [
  { name: 'riskTiers', legend: 'Risk tiers', options: optionsOf(RISK_TIER).reverse(), initial: ['CRITICAL', 'HIGH'] },
  {
    name: 'statuses',
    legend: 'Status',
    options: optionsOf(AGENT_STATUS).filter((o) => o.value === 'ACTIVE' || o.value === 'SUSPENDED'),
    initial: ['ACTIVE'],
  },
  { name: 'environments', legend: 'Environments (any of; none = all)', options: optionsOf(ENVIRONMENT), initial: [] },
  { name: 'kinds', legend: 'Kinds (none = all)', options: optionsOf(AGENT_KIND), initial: [] },
] as const;

/** Starts a campaign over a filter; the server answers with the campaign page. */
export function StartCampaignForm({ defaultDeadline }: { defaultDeadline: string }) {
  const [state, action, pending] = useActionState(startCampaignAction, INITIAL_ACTION_STATE);
  const id = useId();
  const e = state.fieldErrors ?? {};
  return (
    <form key={state.attempt ?? 0} action={action} className="flex flex-col gap-4">
      <div className="grid gap-3 sm:grid-cols-2">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-name`} className="text-sm font-medium">
            Name
          </label>
          <input
            id={`${id}-name`}
            name="name"
            required
            defaultValue={submitted(state, 'name', '') as string}
            placeholder="e.g. Q4 high-risk certification"
            className={inputClass}
            {...describedBy(`${id}-name`, { errors: e.name })}
          />
          {e.name ? (
            <p id={`${id}-name-error`} className="text-xs text-danger">
              {e.name.join(' ')}
            </p>
          ) : null}
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-deadline`} className="text-sm font-medium">
            Deadline
          </label>
          <input
            id={`${id}-deadline`}
            name="deadline"
            type="date"
            required
            defaultValue={submitted(state, 'deadline', defaultDeadline) as string}
            className={inputClass}
            {...describedBy(`${id}-deadline`, { errors: e.deadline })}
          />
          {e.deadline ? (
            <p id={`${id}-deadline-error`} className="text-xs text-danger">
              {e.deadline.join(' ')}
            </p>
          ) : null}
        </div>
      </div>
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
        {GROUPS.map((g) => {
          const chosen = [submitted(state, g.name, [...g.initial])].flat() as string[];
          return (
            <fieldset key={g.name} className="flex flex-col gap-1">
              <legend className="mb-1 text-sm font-medium">{g.legend}</legend>
              {g.options.map((o) => (
                <label key={o.value} className="flex items-center gap-2">
                  <input type="checkbox" name={g.name} value={o.value} defaultChecked={chosen.includes(o.value)} />{' '}
                  {o.label}
                </label>
              ))}
              {e[g.name] ? <p className="text-xs text-danger">{e[g.name]!.join(' ')}</p> : null}
            </fieldset>
          );
        })}
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? 'Starting…' : 'Start campaign'}
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function CloseCampaignButton({
  campaignId,
  version,
  open,
}: {
  campaignId: string;
  version: number;
  open: number;
}) {
  const [state, action, pending] = useActionState(closeCampaignAction, INITIAL_ACTION_STATE);
  return (
    <form action={action} className="flex flex-wrap items-center gap-3">
      <input type="hidden" name="campaignId" value={campaignId} />
      <input type="hidden" name="version" value={version} />
      <Button type="submit" variant="outline" disabled={pending}>
        Close campaign
      </Button>
      <span className="text-xs text-muted-foreground">
        {open > 0
          ? `${open} review(s) still open will stay open, outside the campaign’s count.`
          : 'Every review is done.'}
      </span>
      <FormMessage state={state} />
    </form>
  );
}
