import type { CredentialKind, CredentialStorage, Environment, Issuance } from '@/lib/generated/prisma/enums';

// What a credential's issue event records of it: every field the issuance gate, the findings and the rotation rule
// read. The registry check (lib/audit/custody-drift.ts) replays it with the `credential.updated` changes after it, so
// a row changed in the database (STATIC made DYNAMIC, privilege dropped, a scope widened, an approval written in)
// differs from its record.

export type CredentialRecord = {
  kind: CredentialKind;
  issuance: Issuance;
  storage: CredentialStorage;
  environment: Environment;
  secretRef: string | null;
  scope: string;
  maxTtlSeconds: number | null;
  rotationPeriodDays: number | null;
  /** Set with a period longer than the policy's, by the lead who approved it. */
  rotationApprovedDays: number | null;
  boundToWorkloadIdentity: boolean;
  privileged: boolean;
  gated: boolean;
};

export const CREDENTIAL_RECORD_FIELDS = [
  'kind',
  'issuance',
  'storage',
  'environment',
  'secretRef',
  'scope',
  'maxTtlSeconds',
  'rotationPeriodDays',
  'rotationApprovedDays',
  'boundToWorkloadIdentity',
  'privileged',
  'gated',
] as const satisfies readonly (keyof CredentialRecord)[];

/** A credential as written (the columns a create leaves to their defaults, at those defaults), as its record. */
export function credentialRecord(
  c: Pick<CredentialRecord, 'kind' | 'issuance' | 'storage' | 'environment'> & Partial<CredentialRecord>,
): CredentialRecord {
  return {
    kind: c.kind,
    issuance: c.issuance,
    storage: c.storage,
    environment: c.environment,
    secretRef: c.secretRef ?? null,
    scope: c.scope ?? '',
    maxTtlSeconds: c.maxTtlSeconds ?? null,
    rotationPeriodDays: c.rotationPeriodDays ?? null,
    rotationApprovedDays: c.rotationApprovedDays ?? null,
    boundToWorkloadIdentity: c.boundToWorkloadIdentity ?? false,
    privileged: c.privileged ?? false,
    gated: c.gated ?? false,
  };
}
