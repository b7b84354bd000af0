import { z } from 'zod';
import { ENVIRONMENTS, version } from '@/lib/agents/schema';
import { FreeText, Id, Reason } from '@/lib/secrets/free-text';

/** Tools and systems, typed as a comma- or line-separated list or sent as an array. */
const scope = z
  .union([z.array(FreeText(100)), FreeText(5000)])
  .transform((v) => [...new Set((Array.isArray(v) ? v : v.split(/[,\n]/)).map((s) => s.trim()).filter(Boolean))])
  .pipe(
    z
      .array(FreeText(100, 'Keep each tool or system under 100 characters.'))
      .min(1, 'Name at least one tool or system.')
      .max(50, 'At most 50 tools or systems.'),
  );

const purposeFields = {
  task: FreeText(500, 'Keep the task under 500 characters.').pipe(
    z.string().min(3, 'Describe the task in a few words (at least 3 characters).'),
  ),
  scope,
  environments: z
    .array(z.enum(ENVIRONMENTS, 'Unknown environment.'))
    .min(1, 'Choose at least one environment.')
    .transform((e) => [...new Set(e)]),
};

export const AddPurposeSchema = z.object({
  agentId: Id,
  ...purposeFields,
  expiresAt: z
    .union([z.literal('').transform(() => undefined), z.coerce.date('Use a valid date.')])
    .optional()
    .refine((d) => !d || d.getTime() > Date.now(), 'The expiry must be in the future.'),
});

export const ChangePurposeSchema = z.object({ purposeId: Id, version, ...purposeFields });
export const DecidePurposeSchema = z.object({ purposeId: Id, version });
export const ExpirePurposeSchema = DecidePurposeSchema.extend({
  reason: Reason,
});
