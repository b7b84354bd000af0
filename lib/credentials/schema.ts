import { z } from 'zod';
import { ENVIRONMENTS } from '@/lib/agents/schema';
import { FreeText, Id } from '@/lib/secrets/free-text';
import { CREDENTIAL_KIND, CREDENTIAL_STORAGE, ISSUANCE, valuesOf } from '@/lib/vocabulary';

const optionalInt = (min: number, max: number, message: string) =>
  z
    .union([
      z.literal('').transform(() => undefined),
      z.coerce.number().int(message).min(min, message).max(max, message),
    ])
    .optional();

const checkbox = z
  .union([z.boolean(), z.enum(['on', 'true', '1', 'false', '0'])])
  .optional()
  .transform((v) => v === true || v === 'on' || v === 'true' || v === '1');

export const IssueCredentialSchema = z.object({
  agentId: Id,
  name: FreeText(120, 'Keep the name under 120 characters.').pipe(
    z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
        'Use letters, digits, dots, hyphens and underscores, e.g. deploy-bot-api-key.',
      ),
  ),
  kind: z.enum(valuesOf(CREDENTIAL_KIND), 'Choose the kind of credential.'),
  issuance: z.enum(valuesOf(ISSUANCE), 'Choose static or just-in-time issuance.'),
  storage: z.enum(valuesOf(CREDENTIAL_STORAGE), 'Choose where it is stored.'),
  secretRef: FreeText(300, 'Keep the reference under 300 characters.')
    .optional()
    .transform((v) => v || undefined),
  environment: z.enum(ENVIRONMENTS, 'Choose an environment.'),
  scope: FreeText(300, 'Keep the scope under 300 characters.').default(''),
  maxTtlSeconds: optionalInt(1, 366 * 86_400, 'A whole number of seconds, up to a year.'),
  rotationPeriodDays: optionalInt(1, 3650, 'A whole number of days, up to ten years.'),
  boundToWorkloadIdentity: checkbox,
  privileged: checkbox,
  gated: checkbox,
  reason: FreeText(500, 'Keep the reason under 500 characters.').optional(),
});

/** A credential's custody metadata after an edit: the same rules as when it was recorded. */
export const UpdateCredentialSchema = z.object({
  credentialId: Id,
  version: z.coerce.number('The form is out of date: reload the page.').int().min(1),
  storage: IssueCredentialSchema.shape.storage,
  secretRef: IssueCredentialSchema.shape.secretRef,
  scope: IssueCredentialSchema.shape.scope,
  maxTtlSeconds: IssueCredentialSchema.shape.maxTtlSeconds,
  rotationPeriodDays: IssueCredentialSchema.shape.rotationPeriodDays,
  boundToWorkloadIdentity: checkbox,
  privileged: checkbox,
  gated: checkbox,
  reason: FreeText(500, 'Keep the reason under 500 characters.').optional(),
});

const reason = FreeText(500, 'Keep the reason under 500 characters.').pipe(
  z.string().min(3, 'Say why, in a few words (at least 3 characters).'),
);

export const RotateCredentialSchema = z.object({ credentialId: Id, reason: reason.optional() });
export const RevokeCredentialSchema = z.object({ credentialId: Id, reason });
export const RecordUseSchema = z.object({
  credentialId: Id,
  context: FreeText(300, 'Keep the context under 300 characters.').optional(),
  occurredAt: z.coerce.date().optional(),
});
