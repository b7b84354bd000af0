import { z } from 'zod';
import { FreeText, Id, OptionalId } from '@/lib/secrets/free-text';

/** A form's empty field is no value. */
const optional = <T extends z.ZodType>(schema: T) =>
  z
    .union([z.literal(''), schema])
    .optional()
    .transform((v) => (v === '' ? undefined : v) as z.output<T> | undefined);

/** The escalation contact of an agent: who is paged, how, and when. At least one way to reach them. */
export const SetEscalationSchema = z
  .object({
    agentId: Id,
    // The contact's version as the form read it; 0 when it had none.
    version: z.coerce.number('The form is out of date: reload the page.').int().min(0),
    name: FreeText(120, 'Keep the name under 120 characters.').pipe(
      z.string().min(2, 'Name the person or team to page, e.g. Payments on-call.'),
    ),
    userId: OptionalId,
    email: optional(z.email('Give an e-mail address, e.g. payments-oncall@example.com.').max(254)),
    phone: optional(z.string().regex(/^\+?[0-9][0-9 ().-]{5,30}$/, 'Give a phone number, e.g. +44 20 7946 0958.')),
    // Scanned like free text: a pager URL can carry an integration key.
    pagerUrl: optional(
      FreeText(500, 'Keep the URL under 500 characters.').pipe(
        z.url({ protocol: /^https$/, error: 'Give an https:// URL of the pager or on-call page.' }),
      ),
    ),
    coverage: FreeText(120, 'Keep the hours under 120 characters.').pipe(
      z.string().min(2, 'Say when they answer, e.g. 24/7 or Mon–Fri 08:00–18:00 UTC.'),
    ),
  })
  .refine((c) => c.userId || c.email || c.phone || c.pagerUrl, {
    path: ['email'],
    message: 'Give at least one way to reach them: a person, an e-mail, a phone or a pager URL.',
  });

export const ClearEscalationSchema = z.object({
  agentId: Id,
  version: z.coerce.number('The form is out of date: reload the page.').int().min(1),
});
