'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { PersonPicker, type PickedPerson } from '@/components/people/person-picker';
import { Button } from '@/components/ui/button';
import type { LifecycleMove } from '@/lib/agents/lifecycle';
import { ENVIRONMENTS } from '@/lib/agents/schema';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { AGENT_STATUS, ENVIRONMENT, labelOf, wordOf } from '@/lib/vocabulary';
import {
  addPurposeAction,
  approvePurposeAction,
  assignControlOwnerAction,
  assignOwnerAction,
  changeAgentStatusAction,
  changePurposeAction,
  expirePurposeAction,
} from '../../actions';

/**
 * Lifecycle: the moves the lifecycle allows, each with what blocks it now
 * (the command's own rules); choose an open move and give a reason.
 */
export function StatusControl({
  agentId,
  version,
  moves,
}: {
  agentId: string;
  version: number;
  moves: LifecycleMove[];
}) {
  const [state, action, pending] = useActionState(changeAgentStatusAction, INITIAL_ACTION_STATE);
  const id = useId();
  if (moves.length === 0) return <p className="text-muted-foreground">A retired agent stays retired.</p>;
  const open = moves.filter((m) => m.problems.length === 0);
  const blocked = moves.filter((m) => m.problems.length > 0);
  return (
    <form action={action} className="flex flex-col gap-2">
      <input type="hidden" name="id" value={agentId} />
      <input type="hidden" name="version" value={version} />
      {open.length > 0 ? (
        <div className="flex flex-wrap items-end gap-2">
          <Field id={`${id}-to`} label="Change status to">
            <select id={`${id}-to`} name="to" className={inputClass}>
              {open.map((m) => (
                <option key={m.to} value={m.to}>
                  {labelOf(AGENT_STATUS, m.to)}
                </option>
              ))}
            </select>
          </Field>
          <div className="min-w-64 flex-1">
            <Field id={`${id}-reason`} label="Reason" errors={state.fieldErrors?.reason}>
              <input
                id={`${id}-reason`}
                name="reason"
                className={inputClass}
                placeholder="Why, for the timeline"
                {...describedBy(`${id}-reason`, { errors: state.fieldErrors?.reason })}
              />
            </Field>
          </div>
          <Button type="submit" disabled={pending}>
            {pending ? 'Checking…' : 'Change status'}
          </Button>
        </div>
      ) : null}
      {blocked.length > 0 ? (
        <ul className="flex flex-col gap-1" aria-label="Moves blocked now">
          {blocked.map((m) => (
            <li key={m.to} data-testid={`blocked-${m.to}`}>
              <span className="font-medium">Cannot become {wordOf(AGENT_STATUS, m.to)} yet:</span>{' '}
              <span className="text-muted-foreground">{m.problems.join(' ')}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <FormMessage state={state} />
    </form>
  );
}

/** The accountable owner or one control plane: pick a person. */
export function AssignControl({
  agentId,
  version,
  plane,
  current,
  label,
}: {
  agentId: string;
  version: number;
  plane?: string;
  current: PickedPerson | null;
  label: string;
}) {
  const [state, action, pending] = useActionState(
    plane ? assignControlOwnerAction : assignOwnerAction,
    INITIAL_ACTION_STATE,
  );
  return (
    <form action={action} className="flex flex-col gap-1">
      <input type="hidden" name="agentId" value={agentId} />
      <input type="hidden" name="version" value={version} />
      {plane ? <input type="hidden" name="plane" value={plane} /> : null}
      <div className="flex items-end gap-2">
        <PersonPicker name="userId" label={label} labelHidden defaultValue={current} placeholder="Choose a person…" />
        <Button type="submit" size="sm" variant="outline" disabled={pending} aria-label={`Assign ${label}`}>
          Assign
        </Button>
      </div>
      <FormMessage state={state} />
    </form>
  );
}

type PurposeValues = { id: string; version: number; task: string; scope: string[]; environments: string[] };

/** Add a purpose, or change one (which sends it back for approval and opens a review). */
export function PurposeForm({ agentId, purpose }: { agentId?: string; purpose?: PurposeValues }) {
  const [state, action, pending] = useActionState(
    purpose ? changePurposeAction : addPurposeAction,
    INITIAL_ACTION_STATE,
  );
  const id = useId();
  const errors = state.fieldErrors ?? {};
  const environments = submitted(state, 'environments', purpose?.environments ?? []) as string[];
  return (
    <form key={state.attempt ?? 0} action={action} className="flex flex-col gap-3">
      {agentId ? <input type="hidden" name="agentId" value={agentId} /> : null}
      {purpose ? <input type="hidden" name="purposeId" value={purpose.id} /> : null}
      {purpose ? <input type="hidden" name="version" value={purpose.version} /> : null}
      <Field id={`${id}-task`} label="Task" errors={errors.task}>
        <input
          id={`${id}-task`}
          name="task"
          defaultValue={submitted(state, 'task', purpose?.task ?? '') as string}
          className={inputClass}
          placeholder="e.g. Deploy approved releases to production"
          {...describedBy(`${id}-task`, { errors: errors.task })}
        />
      </Field>
      <Field
        id={`${id}-scope`}
        label="Tools and systems"
        hint="Comma-separated, e.g. github, argo-cd"
        errors={errors.scope}
      >
        <input
          id={`${id}-scope`}
          name="scope"
          defaultValue={submitted(state, 'scope', purpose?.scope.join(', ') ?? '') as string}
          className={inputClass}
          {...describedBy(`${id}-scope`, { hint: true, errors: errors.scope })}
        />
      </Field>
      <fieldset className="flex flex-col gap-1">
        <legend className="text-sm font-medium">Environments</legend>
        <div className="flex gap-4">
          {ENVIRONMENTS.map((e) => (
            <label key={e} className="flex items-center gap-1.5">
              <input type="checkbox" name="environments" value={e} defaultChecked={environments.includes(e)} />
              {labelOf(ENVIRONMENT, e)}
            </label>
          ))}
        </div>
        {errors.environments?.length ? <p className="text-xs text-danger">{errors.environments.join(' ')}</p> : null}
      </fieldset>
      <div className="flex items-center gap-3">
        <Button type="submit" size="sm" disabled={pending}>
          {purpose ? 'Save purpose' : 'Add purpose'}
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function PurposeActions({
  purposeId,
  version,
  canApprove,
  canExpire,
}: {
  purposeId: string;
  version: number;
  canApprove: boolean;
  canExpire: boolean;
}) {
  const [approveState, approve, approving] = useActionState(approvePurposeAction, INITIAL_ACTION_STATE);
  const [expireState, expire, expiring] = useActionState(expirePurposeAction, INITIAL_ACTION_STATE);
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        {canApprove ? (
          <form action={approve}>
            <input type="hidden" name="purposeId" value={purposeId} />
            <input type="hidden" name="version" value={version} />
            <Button type="submit" size="sm" disabled={approving}>
              Approve
            </Button>
          </form>
        ) : null}
        {canExpire ? (
          <form action={expire} className="flex items-center gap-1">
            <input type="hidden" name="purposeId" value={purposeId} />
            <input type="hidden" name="version" value={version} />
            <label htmlFor={id} className="sr-only">
              Reason for expiring
            </label>
            <input id={id} name="reason" placeholder="Reason to expire" className={`${inputClass} h-8 w-40`} />
            <Button type="submit" size="sm" variant="outline" disabled={expiring}>
              Expire
            </Button>
          </form>
        ) : null}
      </div>
      <FormMessage state={approveState.message ? approveState : expireState} />
    </div>
  );
}
