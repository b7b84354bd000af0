'use client';

import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { SCOPE_LABELS, TOKEN_SCOPES } from '@/lib/tokens/schema';
import { createTokenAction, revokeTokenAction, type CreateTokenState } from '../actions';

export function CreateTokenForm({ maxDays }: { maxDays: number }) {
  const [state, action, pending] = useActionState<CreateTokenState, FormData>(createTokenAction, INITIAL_ACTION_STATE);
  const id = useId();
  const e = state.fieldErrors ?? {};
  const scopes = [submitted(state, 'scopes', ['events:write'])].flat() as string[];
  return (
    <div className="flex flex-col gap-3">
      <form key={state.attempt ?? 0} action={action} className="flex flex-col gap-3">
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
              placeholder="e.g. vault-broker-prod"
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
            <label htmlFor={`${id}-days`} className="text-sm font-medium">
              Expires after (days)
            </label>
            <input
              id={`${id}-days`}
              name="expiresInDays"
              type="number"
              min={1}
              max={maxDays}
              required
              defaultValue={submitted(state, 'expiresInDays', String(Math.min(90, maxDays))) as string}
              className={inputClass}
              {...describedBy(`${id}-days`, { hint: true, errors: e.expiresInDays })}
            />
            <p id={`${id}-days-hint`} className="text-xs text-muted-foreground">
              At most {maxDays} days under policy (Settings).
            </p>
            {e.expiresInDays ? (
              <p id={`${id}-days-error`} className="text-xs text-danger">
                {e.expiresInDays.join(' ')}
              </p>
            ) : null}
          </div>
        </div>
        <fieldset className="flex flex-col gap-1">
          <legend className="mb-1 text-sm font-medium">Scopes</legend>
          {TOKEN_SCOPES.map((s) => (
            <label key={s} className="flex items-center gap-2">
              <input type="checkbox" name="scopes" value={s} defaultChecked={scopes.includes(s)} />{' '}
              <span className="font-mono text-xs">{s}</span> — {SCOPE_LABELS[s]}
            </label>
          ))}
          {e.scopes ? <p className="text-xs text-danger">{e.scopes.join(' ')}</p> : null}
        </fieldset>
        <fieldset className="flex flex-col gap-2">
          <legend className="mb-1 text-sm font-medium">Agents it reaches</legend>
          {(
            [
              ['ALL', 'All agents'],
              ['LIST', 'Only these agents (slugs, comma-separated)'],
              ['WORKLOAD_PREFIX', 'Agents whose workload identity starts with'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="flex items-center gap-2">
              <input
                type="radio"
                name="agentScope"
                value={value}
                defaultChecked={submitted(state, 'agentScope', 'ALL') === value}
              />
              {label}
            </label>
          ))}
          <label htmlFor={`${id}-agents`} className="sr-only">
            Agent slugs
          </label>
          <input
            id={`${id}-agents`}
            name="agents"
            placeholder="e.g. deploy-bot, terraform-planner"
            defaultValue={submitted(state, 'agents', '') as string}
            className={inputClass}
            {...describedBy(`${id}-agents`, { errors: e.agents })}
          />
          {e.agents ? (
            <p id={`${id}-agents-error`} className="text-xs text-danger">
              {e.agents.join(' ')}
            </p>
          ) : null}
          <label htmlFor={`${id}-prefix`} className="sr-only">
            Workload identity prefix
          </label>
          <input
            id={`${id}-prefix`}
            name="workloadPrefix"
            placeholder="e.g. spiffe://example.com/ci/"
            defaultValue={submitted(state, 'workloadPrefix', '') as string}
            className={inputClass}
            {...describedBy(`${id}-prefix`, { errors: e.workloadPrefix })}
          />
          {e.workloadPrefix ? (
            <p id={`${id}-prefix-error`} className="text-xs text-danger">
              {e.workloadPrefix.join(' ')}
            </p>
          ) : null}
        </fieldset>
        <div className="flex items-center gap-3">
          <Button type="submit" disabled={pending}>
            Create token
          </Button>
          <FormMessage state={state} />
        </div>
      </form>
      {state.token ? (
        <div className="rounded-md border border-warning/40 bg-warning/10 p-3">
          <label htmlFor={`${id}-token`} className="text-sm font-medium">
            Your new token (shown once)
          </label>
          <input
            id={`${id}-token`}
            readOnly
            value={state.token}
            className={`${inputClass} mt-1 font-mono`}
            data-testid="new-token"
            onFocus={(event) => event.currentTarget.select()}
          />
        </div>
      ) : null}
    </div>
  );
}

export function RevokeTokenButton({ tokenId, version, name }: { tokenId: string; version: number; name: string }) {
  const [state, action, pending] = useActionState(revokeTokenAction, INITIAL_ACTION_STATE);
  return (
    <form action={action} className="flex items-center gap-2">
      <input type="hidden" name="tokenId" value={tokenId} />
      <input type="hidden" name="version" value={version} />
      <Button type="submit" size="sm" variant="outline" disabled={pending} aria-label={`Revoke ${name}`}>
        Revoke
      </Button>
      <FormMessage state={state} />
    </form>
  );
}
