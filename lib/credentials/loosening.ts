import type { CredentialStorage } from '@/lib/generated/prisma/enums';

/** What an edit may change on a credential: custody metadata, never a value. Its kind and environment are fixed. */
export type CredentialSettings = {
  storage: CredentialStorage;
  secretRef: string | null;
  scope: string;
  maxTtlSeconds: number | null;
  rotationPeriodDays: number | null;
  boundToWorkloadIdentity: boolean;
  privileged: boolean;
  gated: boolean;
};
export const CREDENTIAL_EDITABLE = [
  'storage',
  'secretRef',
  'scope',
  'maxTtlSeconds',
  'rotationPeriodDays',
  'boundToWorkloadIdentity',
  'privileged',
  'gated',
] as const satisfies (keyof CredentialSettings)[];

export type CredentialGuardedField =
  'boundToWorkloadIdentity' | 'maxTtlSeconds' | 'privileged' | 'storage' | 'rotationPeriodDays' | 'scope' | 'gated';

// Strongest first: a broker issues and revokes; a prompt or context window leaks into logs and transcripts.
const STORAGE_STRENGTH: CredentialStorage[] = [
  'VAULT_OR_BROKER',
  'CI_SECRET',
  'ENV_VAR',
  'CONFIG_FILE',
  'LOCAL_DISK',
  'PROMPT_OR_CONTEXT',
];

/** A longer limit, where no limit (null) is `unset`: the longest of all, or the policy's where one applies. */
const longer = (after: number | null, before: number | null, unset = Infinity) => (after ?? unset) > (before ?? unset);

/** A scope's entries (`system` or `system:permission`), lower-cased: what coverage compares. */
export function scopeEntries(scope: string): string[] {
  return scope
    .toLowerCase()
    .split(/[\s,]+/)
    .filter(Boolean);
}

/** A scope that reaches more: an entry added, or every entry removed (an unstated scope reaches anything). */
function widens(after: string, before: string): boolean {
  const had = new Set(scopeEntries(before));
  const has = scopeEntries(after);
  return (has.length === 0 && had.size > 0) || has.some((entry) => !had.has(entry));
}

/**
 * What a new credential may start with that an edit could not give one without a second person: privilege, or in
 * production storage outside a vault, broker or CI secret store. Recorded all the same (custody records what exists),
 * it opens or joins the agent's review unless a lead independent of the agent issued it, so replacing a credential
 * with a looser new one is not a way around the loosening rules. (Unbound or ungated is how most credentials start:
 * a review for each would bury the ones that matter.)
 */
export function looseFromTheStart(c: {
  privileged: boolean;
  environment: string;
  storage: CredentialStorage;
}): boolean {
  return c.privileged || (c.environment === 'PROD' && STORAGE_STRENGTH.indexOf(c.storage) > 1);
}

/**
 * The fields of a credential edit that loosen a control: unbound from the
 * workload identity, a longer (or no) TTL, privilege changed, moved to weaker
 * storage, a longer (or no) rotation period, a wider scope, no longer gated. Tightening is not
 * listed: it applies at once.
 */
export function credentialLooseningFields(
  before: CredentialSettings,
  after: CredentialSettings,
  policy: { rotationDays: number; maxTtlSeconds: { standard: number; privileged: number } },
): CredentialGuardedField[] {
  const fields: CredentialGuardedField[] = [];
  if (before.boundToWorkloadIdentity && !after.boundToWorkloadIdentity) fields.push('boundToWorkloadIdentity');
  // The TTL the issuance gate allows: its own, at most its class's maximum (no TTL of its own is that maximum).
  const ttl = (c: CredentialSettings) =>
    Math.min(
      c.maxTtlSeconds ?? Infinity,
      c.privileged ? policy.maxTtlSeconds.privileged : policy.maxTtlSeconds.standard,
    );
  if (ttl(after) > ttl(before)) fields.push('maxTtlSeconds');
  // Either way: made privileged it reaches more; no longer privileged, the issuance gate allows it the longer
  // standard TTL (when it states none of its own).
  if (before.privileged !== after.privileged) fields.push('privileged');
  if (STORAGE_STRENGTH.indexOf(after.storage) > STORAGE_STRENGTH.indexOf(before.storage)) fields.push('storage');
  // With no period of its own a credential rotates by the policy's (credentialRotationDays): stating a longer one
  // loosens, as removing a shorter one does.
  if (longer(after.rotationPeriodDays, before.rotationPeriodDays, policy.rotationDays))
    fields.push('rotationPeriodDays');
  if (widens(after.scope, before.scope)) fields.push('scope');
  if (before.gated && !after.gated) fields.push('gated');
  return fields;
}

export const CREDENTIAL_LOOSENING_WORDS: Record<CredentialGuardedField, string> = {
  boundToWorkloadIdentity: 'unbinding it from the workload identity',
  maxTtlSeconds: 'a longer TTL',
  privileged: 'privilege',
  storage: 'weaker storage',
  rotationPeriodDays: 'a longer rotation period',
  scope: 'a wider scope',
  gated: 'issuing it around the issuance gate',
};
