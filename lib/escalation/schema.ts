import { z } from 'zod';
import { FreeText, Id, OptionalId } from '@/lib/secrets/free-text';

/**
 * Whether a URL looks like an ingest endpoint with its key in it: a query string, or a path segment of 20 or more
 * hex digits or a UUID (PagerDuty's integration keys, VictorOps routing keys).
 */
export function carriesKey(url: string): boolean {
  const { search, pathname } = new URL(url);
  return (
    search.length > 1 ||
    pathname.split('/').some((segment) => /^[0-9a-f]{20,}$/i.test(segment) || /^[0-9a-f-]{36}$/i.test(segment))
  );
}

/** What an escalation contact is: compared field by field when it is set again. */
export const CONTACT_FIELDS = ['name', 'userId', 'email', 'phone', 'pagerUrl', 'coverage'] as const;

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
    // The agent's version as the form read it: the contact is part of the agent's record.
    version: z.coerce.number('The form is out of date: reload the page.').int().min(1),
    name: FreeText(120, 'Keep the name under 120 characters.').pipe(
      z.string().min(2, 'Name the person or team to page, e.g. Payments on-call.'),
    ),
    userId: OptionalId,
    email: optional(z.email('Give an e-mail address, e.g. payments-oncall@example.com.').max(254)),
    phone: optional(z.string().regex(/^\+?[0-9][0-9 ().-]{5,30}$/, 'Give a phone number, e.g. +44 20 7946 0958.')),
    // Scanned like free text, and more: a pager's ingest URL carries its integration key in the path.
    pagerUrl: optional(
      FreeText(500, 'Keep the URL under 500 characters.')
        .pipe(z.url({ protocol: /^https$/, error: 'Give an https:// URL of the pager or on-call page.' }))
        .refine((url) => !carriesKey(url), {
          error: 'That URL carries what looks like a key: give the on-call page people open, not an ingest endpoint.',
        }),
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
