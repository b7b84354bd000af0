import { z } from 'zod';
import { FreeText, Id } from '@/lib/secrets/free-text';
import { EXCEPTION_TYPE, valuesOf } from '@/lib/vocabulary';

export const EXCEPTION_TYPES = valuesOf(EXCEPTION_TYPE);

const reason = FreeText(1000, 'Keep it under 1,000 characters.').pipe(
  z.string().min(3, 'Say why, in a few words (at least 3 characters).'),
);

export const RequestExceptionSchema = z
  .object({
    agentId: Id,
    /** The credentials it covers; a break-glass names at least one or says why it covers none. */
    credentialIds: z
      .array(Id)
      .max(50, 'At most 50 credentials on one request.')
      .default([])
      .transform((ids) => [...new Set(ids)]),
    noCredentialReason: FreeText(500, 'Keep it under 500 characters.')
      .optional()
      .transform((v) => v || undefined),
    type: z.enum(EXCEPTION_TYPES, 'Choose the kind of exception.'),
    justification: reason,
    /** Hours the window lasts, from the final approval. Bounded by policy per type. */
    durationHours: z.coerce
      .number('Give the window in hours.')
      .positive('The window must be longer than zero.')
      .max(24 * 366, 'At most a year.'),
  })
  .superRefine((v, ctx) => {
    if (v.credentialIds.length > 0 && v.noCredentialReason) {
      ctx.addIssue({
        code: 'custom',
        path: ['noCredentialReason'],
        message: 'Either name the credentials it covers or say why it covers none, not both.',
      });
    }
    if (v.type === 'BREAK_GLASS' && v.credentialIds.length === 0 && (v.noCredentialReason ?? '').length < 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['credentialIds'],
        message:
          'A break-glass names the credentials it covers (they must be rotated after it), or says why it covers ' +
          'none, in a few words.',
      });
    }
  });

export const DecideExceptionSchema = z.object({
  exceptionId: Id,
  outcome: z.enum(['APPROVE', 'REJECT'], 'Approve or reject.'),
  reason,
});

export const EndExceptionSchema = z.object({ exceptionId: Id, reason });
