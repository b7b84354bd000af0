import { z } from 'zod';
import { ENVIRONMENTS } from '@/lib/agents/schema';
import { FreeText, Id, IdOf, Reason } from '@/lib/secrets/free-text';

/** Tasks or tools, typed as a comma- or line-separated list or sent as an array; lower-cased, as the gate matches. */
const tasks = z
  .union([z.array(FreeText(100)), FreeText(5000)])
  .transform((v) => [
    ...new Set((Array.isArray(v) ? v : v.split(/[,\n]/)).map((s) => s.trim().toLowerCase()).filter(Boolean)),
  ])
  .pipe(
    z
      .array(
        FreeText(100, 'Keep each task or tool under 100 characters.').pipe(
          z.string().regex(/^\S+$/, 'A task or tool is one word, such as deploy or github:write.'),
        ),
      )
      .min(1, 'Name at least one task or tool it may act for.')
      .max(50, 'At most 50 tasks or tools.'),
  );

export const RequestDelegationSchema = z.object({
  /** The agent that will act (its owner asks). */
  delegateId: Id,
  /** The agent it will act for: its slug (as the form takes it) or id. */
  principal: IdOf('Name the agent it may act for, by its slug.'),
  tasks,
  environments: z
    .array(z.enum(ENVIRONMENTS, 'Unknown environment.'))
    .min(1, 'Choose at least one environment.')
    .transform((e) => [...new Set(e)]),
  /** Days the grant lasts from its approval; the policy's maximum applies. */
  days: z.coerce
    .number('Give the number of days it lasts.')
    .int('Whole days only.')
    .min(1, 'At least 1 day.')
    .max(366, 'At most 366 days (the policy allows fewer).'),
  justification: Reason,
});

export const DecideDelegationSchema = z.object({ grantId: Id, reason: Reason });
