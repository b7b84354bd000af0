'use client';

import { CircleCheck, CircleX } from 'lucide-react';
import { useActionState, useId, useState } from 'react';
import { describedBy, Field, inputClass } from '@/components/forms/field';
import { Button } from '@/components/ui/button';
import { INITIAL_ACTION_STATE, submitted, type ActionState } from '@/lib/http/action-state';
import type { DecisionResult } from '@/lib/issuance/schema';
import { CREDENTIAL_KIND, ENVIRONMENT, ISSUANCE, labelOf, optionsOf } from '@/lib/vocabulary';
import { dryRunIssuanceAction } from '../actions';

type Choice = { id: string; name: string; environment: keyof typeof ENVIRONMENT; issuance: keyof typeof ISSUANCE };

/** The form and the gate's answer: allow with its constraints, or deny with every reason and where to fix it. */
export function IssuanceDryRun({
  agentId,
  credentials,
  tasks,
  environments,
  anchors,
}: {
  agentId: string;
  credentials: Choice[];
  tasks: string[];
  environments: (keyof typeof ENVIRONMENT)[];
  anchors: Record<string, string>;
}) {
  const [state, action, pending] = useActionState<ActionState & { result?: DecisionResult }, FormData>(
    dryRunIssuanceAction,
    INITIAL_ACTION_STATE,
  );
  const id = useId();
  const errors = state.ok ? undefined : state.fieldErrors;
  const value = (name: string, fallback: string) => String(submitted(state, name, fallback));
  const result = state.ok ? state.result : undefined;
  // Kind and scope describe a new credential: asked only when no recorded one is chosen.
  const [choice, setChoice] = useState(value('credentialId', credentials[0]?.id ?? ''));
  const fresh = choice === '';
  return (
    <div className="flex flex-col gap-4">
      <form
        key={state.attempt}
        action={action}
        aria-label="Would it be allowed?"
        className="grid max-w-3xl gap-3 sm:grid-cols-3"
        noValidate
      >
        <input type="hidden" name="agentId" value={agentId} />
        <Field id={`${id}-cred`} label="Credential" errors={errors?.credentialId}>
          <select
            id={`${id}-cred`}
            name="credentialId"
            className={inputClass}
            value={choice}
            onChange={(e) => setChoice(e.target.value)}
            {...describedBy(`${id}-cred`, { errors: errors?.credentialId })}
          >
            {credentials.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({labelOf(ENVIRONMENT, c.environment)}, {labelOf(ISSUANCE, c.issuance).toLowerCase()})
              </option>
            ))}
            <option value="">A new one, issued just in time (kind and scope)</option>
          </select>
        </Field>
        <Field id={`${id}-kind`} label="Kind (a new one)" errors={errors?.kind}>
          <select
            id={`${id}-kind`}
            name="kind"
            disabled={!fresh}
            className={inputClass}
            defaultValue={value('kind', '')}
            {...describedBy(`${id}-kind`, { errors: errors?.kind })}
          >
            <option value="">—</option>
            {optionsOf(CREDENTIAL_KIND).map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-scope`} label="Scope (a new one)" hint="e.g. github:read" errors={errors?.scope}>
          <input
            id={`${id}-scope`}
            name="scope"
            disabled={!fresh}
            className={inputClass}
            defaultValue={value('scope', '')}
            {...describedBy(`${id}-scope`, { hint: true, errors: errors?.scope })}
          />
        </Field>
        <Field
          id={`${id}-task`}
          label="Task or tool"
          hint="Matched against the approved purposes."
          errors={errors?.task}
        >
          <input
            id={`${id}-task`}
            name="task"
            list={`${id}-tasks`}
            className={inputClass}
            defaultValue={value('task', tasks[0] ?? '')}
            {...describedBy(`${id}-task`, { hint: true, errors: errors?.task })}
          />
          <datalist id={`${id}-tasks`}>
            {tasks.map((t) => (
              <option key={t} value={t} />
            ))}
          </datalist>
        </Field>
        <Field id={`${id}-env`} label="Environment" errors={errors?.environment}>
          <select
            id={`${id}-env`}
            name="environment"
            className={inputClass}
            defaultValue={value('environment', environments[0] ?? 'PROD')}
            {...describedBy(`${id}-env`, { errors: errors?.environment })}
          >
            {optionsOf(ENVIRONMENT).map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </Field>
        <Field id={`${id}-ttl`} label="Time-to-live (seconds)" errors={errors?.ttlSeconds}>
          <input
            id={`${id}-ttl`}
            name="ttlSeconds"
            type="number"
            min={1}
            className={inputClass}
            defaultValue={value('ttlSeconds', '900')}
            {...describedBy(`${id}-ttl`, { errors: errors?.ttlSeconds })}
          />
        </Field>
        <Field
          id={`${id}-chain`}
          label="On behalf of (optional)"
          hint="The agents it acts for, nearest first: slugs or workload identities, separated by commas."
          errors={errors?.onBehalfOf}
          className="sm:col-span-3"
        >
          <input
            id={`${id}-chain`}
            name="onBehalfOf"
            className={`${inputClass} font-mono`}
            defaultValue={value('onBehalfOf', '')}
            {...describedBy(`${id}-chain`, { hint: true, errors: errors?.onBehalfOf })}
          />
        </Field>
        <div className="sm:col-span-3">
          <Button type="submit" disabled={pending}>
            {pending ? 'Asking the gate…' : 'Would it be allowed?'}
          </Button>
          {!state.ok && state.message ? (
            <p role="status" className="mt-1 text-danger">
              {state.message}
            </p>
          ) : null}
        </div>
      </form>
      {result ? <Answer result={result} anchors={anchors} /> : null}
    </div>
  );
}

function Answer({ result, anchors }: { result: DecisionResult; anchors: Record<string, string> }) {
  const allowed = result.decision === 'allow';
  const c = result.constraints;
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="issuance-answer"
      className={`rounded-md border p-3 ${allowed ? 'border-success/40 bg-success/5' : 'border-danger/40 bg-danger/5'}`}
    >
      <p className={`flex items-center gap-1.5 font-medium ${allowed ? 'text-success' : 'text-danger'}`}>
        {allowed ? <CircleCheck aria-hidden className="size-4" /> : <CircleX aria-hidden className="size-4" />}
        {allowed
          ? 'Allowed'
          : `Denied: ${result.reasons.length === 1 ? '1 rule fails' : `${result.reasons.length} rules fail`}`}
      </p>
      {allowed && c ? (
        <ul className="mt-2 list-disc pl-5 text-sm">
          <li>Issue for at most {c.maxTtlSeconds.toLocaleString('en')} seconds.</li>
          <li>
            {c.justInTime
              ? 'Issue a fresh credential just in time.'
              : 'A stored (static) credential may be handed out.'}
          </li>
          {c.scope.length > 0 ? <li>Reaching at most: {c.scope.join(', ')}.</li> : null}
          {c.onBehalfOf.map((h, i) => (
            <li key={h.grantId}>
              Hop {i + 1}: acts for {h.agent} under its delegation until {new Date(h.endsAt).toUTCString()}.
            </li>
          ))}
          {c.exception ? (
            <li>
              Relies on the exception {c.exception.type.toLowerCase().replace('_', '-')} until{' '}
              {new Date(c.exception.endsAt).toUTCString()}: the TTL ends with it.
            </li>
          ) : null}
        </ul>
      ) : (
        <ul className="mt-2 flex flex-col gap-2 text-sm">
          {result.reasons.map((r) => (
            <li key={`${r.rule}@${r.hop ?? 0}`} data-rule={r.rule} data-hop={r.hop ?? 0}>
              {r.hop ? (
                <span className="mr-1 rounded bg-muted px-1.5 py-0.5 text-xs font-medium">
                  Hop {r.hop}
                  {r.agent ? ` · ${r.agent}` : ''}
                </span>
              ) : null}
              <span className="font-mono text-xs text-muted-foreground">{r.rule}</span> {r.sentence}{' '}
              <a
                href={`${r.agent ? `/agents/${r.agent}` : ''}#${anchors[r.rule] ?? 'owners'}`}
                className="text-primary underline underline-offset-2"
              >
                Fix: {r.fix}
              </a>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
