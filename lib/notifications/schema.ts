import { z } from 'zod';
import { carriesKey } from '@/lib/escalation/schema';
import { FreeText, Id } from '@/lib/secrets/free-text';
import { NOTIFICATION_KIND_IDS } from './kinds';

const NOTIFY_REF = /^(env:NOTIFY_[A-Z0-9_]{1,120}|file:\/[^\0\r\n]{1,1023})$/;
const REF_HELP = 'env:NOTIFY_NAME (a variable whose name starts NOTIFY_) or file:/absolute/path';

/**
 * Where an endpoint's secret lives: a variable named NOTIFY_… (so a form cannot point at Custodian's own
 * configuration, its session secret, its database URL) or a file. Never the value.
 */
export const NotifyRef = z
  .string()
  .trim()
  .regex(NOTIFY_REF, `Give a reference to the secret, not the secret: ${REF_HELP}.`);

export const isNotifyRef = (value: string) => NOTIFY_REF.test(value.trim());

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
    .union([z.literal(''), NotifyRef])
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
      message: `Give the reference to the signing secret (${REF_HELP}): every webhook is signed.`,
    });
  }
  if (e.channel === 'SLACK' && !isNotifyRef(e.url)) {
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: `Slack’s webhook URL is its secret: give a reference to it (${REF_HELP}), not the URL.`,
    });
  }
  // Many receivers (Teams, Discord, Zapier) put their key in the URL: such a URL goes in by reference too.
  if (e.channel === 'WEBHOOK' && !isNotifyRef(e.url) && URL.canParse(e.url) && carriesKey(e.url)) {
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: `That URL carries what looks like a key: give a reference to it instead (${REF_HELP}).`,
    });
  }
});

export const UpdateEndpointSchema = z
  .object({ id: Id, version: z.coerce.number('The form is out of date: reload the page.').int().min(1) })
  .and(CreateEndpointSchema);

/** The kinds a person still wants by e-mail (the rest are muted; required kinds cannot be). */
export const PreferencesSchema = z.object({ email: Kinds });

/** A resend names the status the lead saw: a notification that moved on since (sent meanwhile) is not sent twice. */
export const ResendSchema = z.object({
  id: z.uuid('Not a notification id.'),
  status: z.enum(['SENT', 'DEAD', 'SKIPPED'], 'The form is out of date: reload the page.'),
});
