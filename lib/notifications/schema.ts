import { z } from 'zod';
import { FreeText, Id } from '@/lib/secrets/free-text';
import { SecretRef } from '@/lib/secrets/secret-ref';
import { NOTIFICATION_KIND_IDS } from './kinds';

const Kinds = z.array(z.enum(NOTIFICATION_KIND_IDS, 'Choose kinds from the list.')).max(NOTIFICATION_KIND_IDS.length);

const checkbox = z
  .union([z.literal('on'), z.literal('true'), z.literal('false'), z.literal(''), z.boolean()])
  .optional()
  .transform((v) => v === 'on' || v === 'true' || v === true);

const endpointFields = {
  name: FreeText(80, 'Keep the name under 80 characters.').pipe(
    z.string().min(2, 'Name the endpoint, e.g. Security on-call webhook.'),
  ),
  channel: z.enum(['WEBHOOK', 'SLACK'], 'Choose a signed webhook or a Slack incoming webhook.'),
  // WEBHOOK: the URL (checked further when saved: scheme, credentials, where it resolves). SLACK: a reference to it.
  url: FreeText(500, 'Keep the URL under 500 characters.').pipe(
    z.string().min(1, 'Give the URL, or for Slack its reference.'),
  ),
  secretRef: z
    .union([z.literal(''), SecretRef])
    .optional()
    .transform((v) => v || undefined),
  kinds: Kinds,
  active: checkbox,
};

/** A team's endpoint. A signed webhook needs its signing secret's reference; Slack's URL is itself the reference. */
export const CreateEndpointSchema = z.object(endpointFields).superRefine((e, ctx) => {
  if (e.channel === 'WEBHOOK' && !e.secretRef) {
    ctx.addIssue({
      code: 'custom',
      path: ['secretRef'],
      message: 'Give the reference to the signing secret (env:NAME or file:/path): every webhook is signed.',
    });
  }
  if (e.channel === 'SLACK' && !SecretRef.safeParse(e.url).success) {
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: 'Slack’s webhook URL is its secret: give a reference to it (env:NAME or file:/path), not the URL.',
    });
  }
});

export const UpdateEndpointSchema = z
  .object({ id: Id, version: z.coerce.number('The form is out of date: reload the page.').int().min(1) })
  .and(CreateEndpointSchema);

/** The kinds a person still wants by e-mail (the rest are muted; required kinds cannot be). */
export const PreferencesSchema = z.object({ email: Kinds });

export const ResendSchema = z.object({ id: z.uuid('Not a notification id.') });
