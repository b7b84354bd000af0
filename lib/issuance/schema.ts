import { z } from 'zod';
import { ENVIRONMENTS } from '@/lib/agents/schema';
import { IssueCredentialSchema } from '@/lib/credentials/schema';
import { FreeText, Id, OptionalId } from '@/lib/secrets/free-text';
import { EXCEPTION_TYPE, RISK_TIER, valuesOf } from '@/lib/vocabulary';

/** The gate's rules, by id (lib/issuance/rules.ts lists them; a test keeps the two in step). */
export const ISSUANCE_RULE_IDS = [
  'identity-resolves',
  'agent-active',
  'owner-active',
  'planes-owned',
  'escalation-reachable',
  'credential-held',
  'purpose-covers',
  'review-current',
  'no-critical-finding',
  'ttl-within-policy',
  'no-static-for-high-risk',
  'delegation-chain',
  'delegation-granted',
  'delegation-task',
  'delegation-environment',
  'delegation-scope',
] as const;
export type IssuanceRuleId = (typeof ISSUANCE_RULE_IDS)[number];

/** The longest TTL anyone may ask for: a year. The policy's own maxima are far lower. */
const MAX_TTL_ASKED = 366 * 86_400;

/** A SPIFFE ID, an OIDC subject or a Kubernetes service account (system:serviceaccount:<namespace>:<name>). */
export const WorkloadIdentity = FreeText(300, 'Keep the workload identity under 300 characters.').pipe(
  z
    .string()
    .min(1, 'Give the workload identity that presented itself (SPIFFE ID, OIDC subject or service account).')
    .regex(/^\S+$/, 'A workload identity has no spaces.'),
);

/** The credential asked for: a custody record (by id or name), or a new one by kind, target scope and nothing more. */
export const AskedCredentialSchema = z.union(
  [
    z.object({ id: Id.describe('The credential id, as Custodian shows it.') }).strict(),
    z.object({ name: IssueCredentialSchema.shape.name.describe('The credential name, unique per agent.') }).strict(),
    z
      .object({
        kind: IssueCredentialSchema.shape.kind,
        scope: FreeText(300, 'Keep the scope under 300 characters.')
          .pipe(z.string().min(1, 'Name the target scope, e.g. github:read.'))
          .describe('What the new credential would reach, e.g. github:read or s3:reports-bucket.'),
        privileged: z
          .boolean('privileged is true or false.')
          .optional()
          .describe('A privileged credential: the shorter privileged TTL maximum applies.'),
      })
      .strict(),
  ],
  'Name the credential by id, by name, or by kind and scope (a new one issued just in time).',
);

/**
 * An agent the asking one acts for: its workload identity or its slug (an identity is a URI, a slug has no colon, so
 * a name fits one agent at most). At most 20 are read (the policy's maximum number of hops is lower).
 */
const ChainRef = FreeText(300, 'Keep each agent’s name under 300 characters.').pipe(
  z
    .string()
    .min(1, 'Name each agent it acts for: its workload identity or slug.')
    .regex(/^\S+$/, 'An agent’s name has no spaces.'),
);
export const OnBehalfOfSchema = z
  .array(ChainRef, 'onBehalfOf lists the agents it acts for, nearest first.')
  .max(20, 'At most 20 agents in a chain (the policy allows fewer hops).');

export const DecisionInputSchema = z
  .object({
    workloadIdentity: WorkloadIdentity.describe(
      'The workload identity that presented itself: a SPIFFE ID, an OIDC subject, or a Kubernetes service ' +
        'account as system:serviceaccount:<namespace>:<name>.',
    ),
    credential: AskedCredentialSchema,
    task: FreeText(200, 'Keep the task under 200 characters.')
      .pipe(z.string().min(1, 'Name the task or tool the credential is for, e.g. github or deploy.'))
      .describe('The task or tool the credential is for: matched against the approved purposes.'),
    environment: z.enum(ENVIRONMENTS, 'Choose an environment: DEV, STAGING or PROD.'),
    ttlSeconds: z
      .number('Give the requested time-to-live in seconds.')
      .int('Whole seconds only.')
      .min(1, 'A time-to-live of at least 1 second.')
      .max(MAX_TTL_ASKED, 'At most a year (the policy allows far less).'),
    onBehalfOf: OnBehalfOfSchema.optional().describe(
      'The agents it acts for, nearest first (by workload identity or slug): each hop needs a delegation grant in ' +
        'force, and the answer is the intersection of what every agent in the chain may do.',
    ),
  })
  .strict();
export type DecisionInput = z.infer<typeof DecisionInputSchema>;
/** What is asked, apart from who asks. */
export type DecisionAsk = Omit<DecisionInput, 'workloadIdentity'>;

/** The console's "would it be allowed?": the agent itself asks, so no identity is presented. */
export const DryRunSchema = z
  .object({
    agentId: Id,
    /** An existing credential of the agent; empty for a new one by kind and scope. */
    credentialId: OptionalId,
    kind: z
      .union([z.literal(''), IssueCredentialSchema.shape.kind])
      .optional()
      .transform((v) => v || undefined),
    scope: FreeText(300, 'Keep the scope under 300 characters.')
      .optional()
      .transform((v) => v || undefined),
    task: DecisionInputSchema.shape.task,
    environment: DecisionInputSchema.shape.environment,
    ttlSeconds: z.coerce.number('Give the time-to-live in seconds.').pipe(DecisionInputSchema.shape.ttlSeconds),
    /** The agents it acts for, nearest first, separated by commas or spaces. */
    onBehalfOf: FreeText(2000, 'Keep the chain under 2,000 characters.')
      .optional()
      .transform((v) => (v ?? '').split(/[\s,]+/).filter(Boolean))
      .pipe(OnBehalfOfSchema),
  })
  .superRefine((v, ctx) => {
    if (!v.credentialId && !(v.kind && v.scope)) {
      ctx.addIssue({
        code: 'custom',
        path: [v.kind || v.scope ? (v.kind ? 'scope' : 'kind') : 'credentialId'],
        message: 'Choose a credential, or a kind and a scope for a new one.',
      });
    }
  });

const Reason = z.object({
  rule: z.enum(ISSUANCE_RULE_IDS).describe('The rule that failed.'),
  hop: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe('In a chained decision, the agent of onBehalfOf it failed at (1: the first); absent: the asking agent.'),
  agent: z.string().optional().describe('In a chained decision, the slug of the agent at that hop (when it is known).'),
  sentence: z.string().describe('What is wrong, in one sentence.'),
  fix: z.string().describe('What would make the rule pass.'),
});

export const DecisionResultSchema = z.object({
  id: z.string().describe('The decision id: report it with the credential’s uses.'),
  decision: z.enum(['allow', 'deny']),
  decidedAt: z.iso.datetime(),
  agent: z.object({ slug: z.string(), riskTier: z.enum(valuesOf(RISK_TIER)) }).nullable(),
  reasons: z.array(Reason).describe('Every rule that failed (empty on allow).'),
  constraints: z
    .object({
      maxTtlSeconds: z.number().int().describe('Issue for at most this long.'),
      validUntil: z.iso.datetime().describe('The credential must not outlive this.'),
      justInTime: z.boolean().describe('Issue a fresh, short-lived credential for this task (never a stored one).'),
      exception: z
        .object({ id: z.string(), type: z.enum(valuesOf(EXCEPTION_TYPE)), endsAt: z.iso.datetime() })
        .nullable()
        .describe('The exception this allow relies on, and when it ends.'),
      scope: z
        .array(z.string())
        .describe('What the credential may reach: the scope asked for, narrowed to what every agent in a chain may.'),
      onBehalfOf: z
        .array(z.object({ agent: z.string(), grantId: z.string(), endsAt: z.iso.datetime() }))
        .describe(
          'Each hop of a chained decision: the agent acted for and the grant relied on (the TTL ends with it).',
        ),
    })
    .nullable(),
  seq: z.string().nullable().describe('The issuance.decided event on the timeline (null for a dry run).'),
});
export type DecisionResult = z.infer<typeof DecisionResultSchema>;
export type DecisionReason = z.infer<typeof Reason>;
