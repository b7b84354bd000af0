'use client';

import { useActionState } from 'react';
import { FormMessage } from '@/components/form-message';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { PersonPicker } from '@/components/people/person-picker';
import { Button } from '@/components/ui/button';
import { AGENT_KINDS, ENVIRONMENTS, RISK_TIERS } from '@/lib/agents/schema';
import { INITIAL_ACTION_STATE, submitted, type ActionState } from '@/lib/http/action-state';
import { AGENT_KIND, ENVIRONMENT, labelOf, RISK_TIER } from '@/lib/vocabulary';

type Values = {
  id?: string;
  version?: number;
  slug?: string;
  name?: string;
  description?: string;
  kind?: string;
  workloadIdentity?: string | null;
  environments?: string[];
  riskTier?: string;
  reviewCadenceDays?: number | null;
};

/** Register (with slug and owner) or edit an agent. The server validates with the same schema. */
export function AgentForm({
  action,
  values = {},
  canAssignOwner,
  submitLabel,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  values?: Values;
  /** Owner choices: only for a security lead registering an agent. */
  /** A security lead picks the accountable owner; an owner registers for themself. */
  canAssignOwner?: boolean;
  submitLabel: string;
}) {
  const [state, formAction, pending] = useActionState(action, INITIAL_ACTION_STATE);
  const errors = state.fieldErrors ?? {};
  const isNew = values.id === undefined;
  const value = (name: keyof Values, fallback: unknown = '') =>
    submitted(state, name, (values[name] ?? fallback) as string) as string;
  const environments = submitted(state, 'environments', values.environments ?? []) as string[];
  return (
    <form key={state.attempt ?? 0} action={formAction} className="flex max-w-2xl flex-col gap-4" noValidate>
      {values.id ? <input type="hidden" name="id" value={values.id} /> : null}
      {values.version ? <input type="hidden" name="version" value={values.version} /> : null}
      {isNew ? (
        <Field
          id="slug"
          label="Slug"
          hint="Lower-case letters, digits and hyphens; it names the agent in URLs and the API."
          errors={errors.slug}
        >
          <input
            id="slug"
            name="slug"
            required
            className={inputClass}
            defaultValue={value('slug')}
            {...describedBy('slug', { hint: true, errors: errors.slug })}
          />
        </Field>
      ) : null}
      <Field id="name" label="Name" errors={errors.name}>
        <input
          id="name"
          name="name"
          required
          className={inputClass}
          defaultValue={value('name')}
          {...describedBy('name', { errors: errors.name })}
        />
      </Field>
      <Field id="description" label="Description" errors={errors.description}>
        <textarea
          id="description"
          name="description"
          rows={3}
          className={`${inputClass} h-auto py-2`}
          defaultValue={value('description')}
          {...describedBy('description', { errors: errors.description })}
        />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="kind" label="Kind" errors={errors.kind}>
          <select
            id="kind"
            name="kind"
            className={inputClass}
            defaultValue={value('kind')}
            {...describedBy('kind', { errors: errors.kind })}
          >
            <option value="" disabled>
              Choose…
            </option>
            {AGENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {labelOf(AGENT_KIND, k)}
              </option>
            ))}
          </select>
        </Field>
        <Field id="riskTier" label="Risk tier" errors={errors.riskTier}>
          <select
            id="riskTier"
            name="riskTier"
            className={inputClass}
            defaultValue={value('riskTier')}
            {...describedBy('riskTier', { errors: errors.riskTier })}
          >
            <option value="" disabled>
              Choose…
            </option>
            {RISK_TIERS.map((t) => (
              <option key={t} value={t}>
                {labelOf(RISK_TIER, t)}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <fieldset
        className="flex flex-col gap-1"
        aria-describedby={errors.environments?.length ? 'environments-error' : undefined}
      >
        <legend className="text-sm font-medium">Environments</legend>
        <div className="flex gap-4">
          {ENVIRONMENTS.map((e) => (
            <label key={e} className="flex items-center gap-1.5">
              <input type="checkbox" name="environments" value={e} defaultChecked={environments.includes(e)} />
              {labelOf(ENVIRONMENT, e)}
            </label>
          ))}
        </div>
        {errors.environments?.length ? (
          <p id="environments-error" className="text-xs text-danger">
            {errors.environments.join(' ')}
          </p>
        ) : null}
      </fieldset>
      <Field
        id="workloadIdentity"
        label="Workload identity (optional)"
        hint="A SPIFFE ID or OIDC subject, e.g. spiffe://example.com/agents/deploy-bot. Unique."
        errors={errors.workloadIdentity}
      >
        <input
          id="workloadIdentity"
          name="workloadIdentity"
          className={inputClass}
          defaultValue={value('workloadIdentity')}
          {...describedBy('workloadIdentity', { hint: true, errors: errors.workloadIdentity })}
        />
      </Field>
      <Field
        id="reviewCadenceDays"
        label="Review every (days, optional)"
        hint="Leave empty to follow the risk tier's cadence from Settings."
        errors={errors.reviewCadenceDays}
      >
        <input
          id="reviewCadenceDays"
          name="reviewCadenceDays"
          type="number"
          min={1}
          max={730}
          className={inputClass}
          defaultValue={value('reviewCadenceDays')}
          {...describedBy('reviewCadenceDays', { hint: true, errors: errors.reviewCadenceDays })}
        />
      </Field>
      {!isNew ? (
        <Field
          id="reason"
          label="Why (optional)"
          hint={
            'Kept with the change request when this edit loosens a control (a lower tier, a longer cadence, ' +
            'production, another workload identity): a security lead independent of the agent decides it.'
          }
          errors={errors.reason}
        >
          <input
            id="reason"
            name="reason"
            className={inputClass}
            defaultValue={submitted(state, 'reason', '') as string}
            {...describedBy('reason', { hint: true, errors: errors.reason })}
          />
        </Field>
      ) : null}
      {canAssignOwner ? (
        <div className="flex flex-col gap-1">
          <PersonPicker
            name="ownerId"
            label="Accountable owner"
            className="text-sm font-medium text-foreground"
            invalid={Boolean(errors.ownerId)}
            describedBy="ownerId-hint"
          />
          <p id="ownerId-hint" className="text-xs text-muted-foreground">
            Leave empty to assign later; an agent cannot become active without one.
          </p>
          {errors.ownerId ? <p className="text-xs text-danger">{errors.ownerId.join(' ')}</p> : null}
        </div>
      ) : null}
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={pending}>
          {pending ? 'Saving…' : submitLabel}
        </Button>
        <FormMessage state={state} />
      </div>
    </form>
  );
}
