import { z } from 'zod';
import { metadataText } from '@/lib/credentials/schema';
import { EXCEPTION_TYPE, valuesOf } from '@/lib/vocabulary';

export const EXCEPTION_TYPES = valuesOf(EXCEPTION_TYPE);

const reason = metadataText(1000, 'Keep it under 1,000 characters.').pipe(
  z.string().min(3, 'Say why, in a few words (at least 3 characters).'),
);

export const RequestExceptionSchema = z.object({
  agentId: z.string().min(1),
  credentialId: z
    .string()
    .optional()
    .transform((v) => v || undefined),
  type: z.enum(EXCEPTION_TYPES, 'Choose the kind of exception.'),
  justification: reason,
  /** Hours the window lasts, from now. Bounded by policy per type. */
  durationHours: z.coerce
    .number('Give the window in hours.')
    .positive('The window must be longer than zero.')
    .max(24 * 366, 'At most a year.'),
});

export const DecideExceptionSchema = z.object({
  exceptionId: z.string().min(1),
  outcome: z.enum(['APPROVE', 'REJECT'], 'Approve or reject.'),
  reason,
});

export const EndExceptionSchema = z.object({ exceptionId: z.string().min(1), reason });
