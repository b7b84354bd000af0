import { z } from 'zod';
import { ENVIRONMENTS } from '@/lib/agents/schema';
import { IssueCredentialSchema } from '@/lib/credentials/schema';
import { WorkloadIdentity } from '@/lib/issuance/schema';
import { FreeText, Id } from '@/lib/secrets/free-text';

export const INGEST_TYPES = [
  'credential.issued',
  'credential.used',
  'credential.rotated',
  'credential.revoked',
] as const;
export const MAX_BATCH = 1000;
/** How far ahead of this server's clock a reported event may be (reporting clocks drift). */
export const FUTURE_SKEW_MS = 5 * 60_000;

// One schema per input: the ingest endpoint validates with these, and the
// OpenAPI document is generated from them.
export const IngestCredentialSchema = z
  .object({
    id: Id.optional().describe('The credential id, as Custodian shows it.'),
    name: IssueCredentialSchema.shape.name.optional().describe('The credential name, unique per agent.'),
    kind: IssueCredentialSchema.shape.kind.optional(),
    issuance: IssueCredentialSchema.shape.issuance.optional(),
    storage: IssueCredentialSchema.shape.storage.optional(),
    environment: z.enum(ENVIRONMENTS).optional(),
    secretRef: FreeText(300, 'Keep the reference under 300 characters.')
      .optional()
      .describe('A path in the broker, never a value.'),
    scope: FreeText(300, 'Keep the scope under 300 characters.').optional(),
    maxTtlSeconds: z
      .number()
      .int()
      .min(1)
      .max(366 * 86_400)
      .optional(),
    rotationPeriodDays: z.number().int().min(1).max(3650).optional(),
    boundToWorkloadIdentity: z.boolean().optional(),
    privileged: z.boolean().optional(),
    gated: z.boolean().optional().describe('Issued only through the issuance gate (POST /api/v1/decisions).'),
  })
  .strict()
  .refine((c) => Boolean(c.id) || Boolean(c.name), 'Name the credential by id or by name.')
  .describe(
    'The credential, by id or name. Issuing a credential Custodian does not know yet also needs kind, ' +
      'issuance, storage and environment.',
  );

export const IngestAgentSchema = z
  .object({
    slug: Id.optional(),
    workloadIdentity: FreeText(300)
      .pipe(z.string().min(1))
      .optional()
      .describe('The SPIFFE ID or OIDC subject registered for the agent.'),
  })
  .strict()
  .refine(
    (a) => Boolean(a.slug) !== Boolean(a.workloadIdentity),
    'Name the agent by slug or by workload identity (exactly one).',
  );

export const IngestEventSchema = z
  .object({
    type: z.enum(INGEST_TYPES),
    agent: IngestAgentSchema,
    credential: IngestCredentialSchema,
    occurredAt: z.iso
      .datetime({
        offset: true,
        message: 'Give occurredAt as an ISO 8601 date-time with a time zone, e.g. 2026-11-22T10:15:00Z.',
      })
      .describe(
        'When it happened. More than 5 minutes ahead of the server, or older than the policy window (24 hours by ' +
          'default) without the events:backfill scope, is refused with 422.',
      ),
    context: FreeText(300, 'Keep the context under 300 characters.')
      .optional()
      .describe('What the use was for, e.g. "deploy 4121".'),
    reason: FreeText(500, 'Keep the reason under 500 characters.').optional(),
    workload: z
      .object({
        identity: WorkloadIdentity,
        host: FreeText(253, 'Keep the host under 253 characters.').optional(),
        runtime: FreeText(100, 'Keep the runtime under 100 characters.').optional(),
      })
      .strict()
      .optional()
      .describe(
        'credential.used: the workload that presented the credential (SPIFFE ID, OIDC subject or service account) ' +
          'and where from; `agent` names the agent the credential belongs to. A workload other than that agent’s ' +
          'registered identity, or than the one its allowing decision was for, is marked a suspected replay (an ' +
          'agent with no registered identity is compared with the decision only).',
      ),
    decisionId: Id.optional().describe(
      'credential.used: the issuance decision (POST /api/v1/decisions) the credential was issued under.',
    ),
  })
  .strict()
  .refine(
    (e) => e.type === 'credential.used' || (e.workload === undefined && e.decisionId === undefined),
    'workload and decisionId describe a use: send them with credential.used only.',
  );

export const IngestBatchSchema = z
  .object({ events: z.array(IngestEventSchema).min(1, 'Send at least one event.').max(MAX_BATCH) })
  .strict();
export type IngestEvent = z.infer<typeof IngestEventSchema>;

export const IngestResultSchema = z.object({
  accepted: z.number().int(),
  events: z.array(z.object({ index: z.number().int(), seq: z.string() })),
  rejected: z.array(z.object({ index: z.number().int(), status: z.number().int(), detail: z.string() })),
});
export type IngestResult = z.infer<typeof IngestResultSchema>;
