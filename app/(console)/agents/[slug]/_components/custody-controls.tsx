'use client';

import { TriangleAlert } from 'lucide-react';
import { useActionState, useId } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted } from '@/lib/http/action-state';
import { CREDENTIAL_KIND, ENVIRONMENT, EXCEPTION_TYPE, ISSUANCE, labelOf, optionsOf } from '@/lib/vocabulary';
import {
  issueCredentialAction,
  requestExceptionAction,
  revokeCredentialAction,
  rotateCredentialAction,
  updateCredentialAction,
} from '../actions';
import { CustodyFields, NO_CUSTODY_DEFAULTS, type CustodyDefaults } from './credential-fields';

/** Records a credential's custody: where it lives and how it is issued. Never its value. */
export function IssueCredentialForm({ agentId }: { agentId: string }) {
  const [state, action, pending] = useActionState(issueCredentialAction, INITIAL_ACTION_STATE);
  const id = useId();
  const e = state.fieldErrors ?? {};
  const select = (name: string, label: string, options: { value: string; label: string }[]) => (
    <Field id={`${id}-${name}`} label={label} errors={e[name]}>
      <select
        id={`${id}-${name}`}
        name={name}
        className={inputClass}
        defaultValue={submitted(state, name, '') as string}
        {...describedBy(`${id}-${name}`, { errors: e[name] })}
      >
        <option value="" disabled>
          Choose…
        </option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
  return (
    <form
      key={state.attempt ?? 0}
      action={action}
      className="flex max-w-2xl flex-col gap-3"
      aria-label="Record an issued credential"
    >
      <input type="hidden" name="agentId" value={agentId} />
      <p className="text-xs text-muted-foreground">
        Custodian records metadata only. Never paste a secret value: it is refused.
      </p>
      <Field id={`${id}-name`} label="Credential name" errors={e.name}>
        <input
          id={`${id}-name`}
          name="name"
          defaultValue={submitted(state, 'name', '') as string}
          className={inputClass}
          placeholder="e.g. deploy-bot-api-key"
          {...describedBy(`${id}-name`, { errors: e.name })}
        />
      </Field>
      <div className="grid gap-3 sm:grid-cols-2">
        {select('kind', 'Kind', optionsOf(CREDENTIAL_KIND))}
        {select('issuance', 'Issuance', optionsOf(ISSUANCE))}
        {select('environment', 'Environment', optionsOf(ENVIRONMENT))}
      </div>
      <CustodyFields id={id} state={state} defaults={NO_CUSTODY_DEFAULTS} />
      <div className="flex items-center gap-3">
        <Button type="submit" size="sm" disabled={pending}>
          Record issued credential
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

/** Edits a credential's custody record; loosening it waits for an independent security lead. */
export function EditCredentialForm({
  credentialId,
  version,
  name,
  defaults,
}: {
  credentialId: string;
  version: number;
  name: string;
  defaults: CustodyDefaults;
}) {
  const [state, action, pending] = useActionState(updateCredentialAction, INITIAL_ACTION_STATE);
  const id = useId();
  return (
    <form
      key={state.attempt ?? 0}
      action={action}
      className="flex max-w-2xl flex-col gap-3"
      aria-label={`Edit ${name}`}
    >
      <input type="hidden" name="credentialId" value={credentialId} />
      <input type="hidden" name="version" value={version} />
      <CustodyFields id={id} state={state} defaults={defaults} />
      <Field
        id={`${id}-reason`}
        label="Why (optional)"
        hint="Unbinding, a longer TTL or rotation period, privilege or weaker storage waits for a second person."
      >
        <input
          id={`${id}-reason`}
          name="reason"
          defaultValue={submitted(state, 'reason', '') as string}
          className={inputClass}
          {...describedBy(`${id}-reason`, { hint: true })}
        />
      </Field>
      <div className="flex items-center gap-3">
        <Button type="submit" size="sm" disabled={pending}>
          Save custody record
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}

export function CredentialActions({ credentialId, name }: { credentialId: string; name: string }) {
  const [rotateState, rotate, rotating] = useActionState(rotateCredentialAction, INITIAL_ACTION_STATE);
  const [revokeState, revoke, revoking] = useActionState(revokeCredentialAction, INITIAL_ACTION_STATE);
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <form action={rotate}>
          <input type="hidden" name="credentialId" value={credentialId} />
          <Button
            type="submit"
            size="sm"
            variant="outline"
            disabled={rotating}
            aria-label={`Record rotation of ${name}`}
          >
            Rotated
          </Button>
        </form>
        <form action={revoke} className="flex items-center gap-1">
          <input type="hidden" name="credentialId" value={credentialId} />
          <label htmlFor={id} className="sr-only">
            Reason for revoking {name}
          </label>
          <input id={id} name="reason" placeholder="Reason to revoke" className={`${inputClass} h-8 w-36`} />
          <Button type="submit" size="sm" variant="danger" disabled={revoking} aria-label={`Revoke ${name}`}>
            Revoke
          </Button>
        </form>
      </div>
      <FormMessage state={revokeState.message ? revokeState : rotateState} />
    </div>
  );
}

type Approver = { id: string; name: string | null; isPamOwner: boolean };

/** Request an exception; shows who can approve it and any break-glass never closed out. */
export function RequestExceptionForm({
  agentId,
  credentials,
  approvers,
  maxHours,
  awaitingRotation,
}: {
  agentId: string;
  credentials: { id: string; name: string }[];
  approvers: Approver[];
  maxHours: Record<string, number>;
  awaitingRotation: string[];
}) {
  const [state, action, pending] = useActionState(requestExceptionAction, INITIAL_ACTION_STATE);
  const id = useId();
  const e = state.fieldErrors ?? {};
  return (
    <form key={state.attempt ?? 0} action={action} className="flex max-w-2xl flex-col gap-3">
      <input type="hidden" name="agentId" value={agentId} />
      {awaitingRotation.length > 0 ? (
        <p
          role="note"
          className="flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 px-3 py-2 text-warning"
        >
          <TriangleAlert aria-hidden className="mt-0.5 size-4 shrink-0" />
          An earlier break-glass on this agent was never closed out: {awaitingRotation.join(', ')}{' '}
          {awaitingRotation.length === 1 ? 'has' : 'have'} not been rotated since it ended.
        </p>
      ) : null}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          id={`${id}-type`}
          label="Type"
          errors={e.type}
          hint={`Longest windows: ${Object.entries(maxHours)
            .map(([t, h]) => `${labelOf(EXCEPTION_TYPE, t)} ${h} h`)
            .join(', ')}`}
        >
          <select
            id={`${id}-type`}
            name="type"
            className={inputClass}
            defaultValue={submitted(state, 'type', '') as string}
            {...describedBy(`${id}-type`, { hint: true, errors: e.type })}
          >
            <option value="" disabled>
              Choose…
            </option>
            {Object.keys(maxHours).map((t) => (
              <option key={t} value={t}>
                {labelOf(EXCEPTION_TYPE, t)}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-hours`} label="Window (hours from now)" errors={e.durationHours}>
          <input
            id={`${id}-hours`}
            name="durationHours"
            type="number"
            min={1}
            step="any"
            defaultValue={submitted(state, 'durationHours', '') as string}
            className={inputClass}
            {...describedBy(`${id}-hours`, { errors: e.durationHours })}
          />
        </Field>
      </div>
      <fieldset className="flex flex-col gap-1" aria-describedby={`${id}-cred-hint`}>
        <legend className="text-sm font-medium">Credentials it covers</legend>
        <p id={`${id}-cred-hint`} className="text-xs text-muted-foreground">
          After a break-glass, each must be rotated (or revoked) before the agent’s review can certify.
        </p>
        {credentials.length === 0 ? (
          <p className="text-xs text-muted-foreground">This agent holds no live credential.</p>
        ) : (
          <div className="flex flex-wrap gap-x-4 gap-y-1">
            {credentials.map((c) => (
              <label key={c.id} className="flex items-center gap-1.5 font-mono text-sm">
                <input
                  type="checkbox"
                  name="credentialIds"
                  value={c.id}
                  defaultChecked={(submitted(state, 'credentialIds', []) as string[]).includes(c.id)}
                />
                {c.name}
              </label>
            ))}
          </div>
        )}
        {e.credentialIds?.length ? <p className="text-xs text-danger">{e.credentialIds.join(' ')}</p> : null}
      </fieldset>
      <Field
        id={`${id}-none`}
        label="Or: why it covers no credential"
        errors={e.noCredentialReason}
        hint="A break-glass names what it covers or says why nothing: the approvers read this."
      >
        <input
          id={`${id}-none`}
          name="noCredentialReason"
          defaultValue={submitted(state, 'noCredentialReason', '') as string}
          className={inputClass}
          {...describedBy(`${id}-none`, { hint: true, errors: e.noCredentialReason })}
        />
      </Field>
      <Field id={`${id}-why`} label="Justification" errors={e.justification}>
        <textarea
          id={`${id}-why`}
          name="justification"
          rows={2}
          defaultValue={submitted(state, 'justification', '') as string}
          className={`${inputClass} h-auto py-2`}
          {...describedBy(`${id}-why`, { errors: e.justification })}
        />
      </Field>
      <div className="text-xs text-muted-foreground">
        Who can approve:{' '}
        {approvers.length === 0
          ? 'no active PAM approver other than you — ask a security lead to grant the role.'
          : approvers.map((a) => `${a.name}${a.isPamOwner ? ' (PAM owner of this agent)' : ''}`).join(', ')}
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" size="sm" disabled={pending}>
          Request exception
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
