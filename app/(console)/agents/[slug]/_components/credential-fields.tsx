import { describedBy, Field, inputClass } from '@/components/forms/field';
import { submitted, type ActionState } from '@/lib/http/action-state';
import { CREDENTIAL_STORAGE, optionsOf } from '@/lib/vocabulary';

export type CustodyDefaults = {
  storage: string;
  secretRef: string;
  scope: string;
  maxTtlSeconds: string;
  rotationPeriodDays: string;
  boundToWorkloadIdentity: boolean;
  privileged: boolean;
  gated: boolean;
};

export const NO_CUSTODY_DEFAULTS: CustodyDefaults = {
  storage: '',
  secretRef: '',
  scope: '',
  maxTtlSeconds: '',
  rotationPeriodDays: '',
  boundToWorkloadIdentity: false,
  privileged: false,
  gated: false,
};

/**
 * The custody metadata a credential is recorded with and later edited by:
 * where it is stored, its broker reference and scope, its limits and flags.
 * A refused submission keeps what was typed (except a refused secret).
 */
export function CustodyFields({ id, state, defaults }: { id: string; state: ActionState; defaults: CustodyDefaults }) {
  const e = state.fieldErrors ?? {};
  const value = (name: keyof CustodyDefaults) => submitted(state, name, defaults[name]) as string;
  const checked = (name: 'boundToWorkloadIdentity' | 'privileged' | 'gated') =>
    state.values ? submitted(state, name, '') === 'on' : defaults[name];
  return (
    <>
      <Field id={`${id}-storage`} label="Stored in" errors={e.storage}>
        <select
          id={`${id}-storage`}
          name="storage"
          className={inputClass}
          defaultValue={value('storage')}
          {...describedBy(`${id}-storage`, { errors: e.storage })}
        >
          <option value="" disabled>
            Choose…
          </option>
          {optionsOf(CREDENTIAL_STORAGE).map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${id}-secretRef`} label="Broker reference (a path, never a value)" errors={e.secretRef}>
        <input
          id={`${id}-secretRef`}
          name="secretRef"
          defaultValue={value('secretRef')}
          className={inputClass}
          placeholder="vault:kv/prod/deploy-bot/api-key"
          autoComplete="off"
          {...describedBy(`${id}-secretRef`, { errors: e.secretRef })}
        />
      </Field>
      <Field
        id={`${id}-scope`}
        label="Scope"
        errors={e.scope}
        hint="Systems it reaches, as system or system:permission (e.g. github:repo-write, jira): a purpose names each"
      >
        <input
          id={`${id}-scope`}
          name="scope"
          defaultValue={value('scope')}
          className={inputClass}
          placeholder="e.g. github:repo-read, jira"
          {...describedBy(`${id}-scope`, { hint: true, errors: e.scope })}
        />
      </Field>
      <div className="grid gap-3 sm:grid-cols-2">
        <Field id={`${id}-ttl`} label="Maximum TTL (seconds)" errors={e.maxTtlSeconds}>
          <input
            id={`${id}-ttl`}
            name="maxTtlSeconds"
            type="number"
            min={1}
            defaultValue={value('maxTtlSeconds')}
            className={inputClass}
            {...describedBy(`${id}-ttl`, { errors: e.maxTtlSeconds })}
          />
        </Field>
        <Field id={`${id}-rot`} label="Rotation period (days)" errors={e.rotationPeriodDays}>
          <input
            id={`${id}-rot`}
            name="rotationPeriodDays"
            type="number"
            min={1}
            defaultValue={value('rotationPeriodDays')}
            className={inputClass}
            {...describedBy(`${id}-rot`, { errors: e.rotationPeriodDays })}
          />
        </Field>
      </div>
      <div className="flex gap-4">
        <label className="flex items-center gap-1.5">
          <input type="checkbox" name="boundToWorkloadIdentity" defaultChecked={checked('boundToWorkloadIdentity')} />
          Bound to the workload identity
        </label>
        <label className="flex items-center gap-1.5">
          <input type="checkbox" name="privileged" defaultChecked={checked('privileged')} /> Privileged
        </label>
        <label className="flex items-center gap-1.5">
          <input type="checkbox" name="gated" defaultChecked={checked('gated')} /> Issued only through the gate
        </label>
      </div>
    </>
  );
}
