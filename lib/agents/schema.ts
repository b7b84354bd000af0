import { z } from 'zod';
import { keysetParams } from '@/lib/db/keyset';
import { FreeText, Id, OptionalId, OptionalReason, Reason } from '@/lib/secrets/free-text';
import { AGENT_KIND, AGENT_STATUS, CONTROL_PLANE, ENVIRONMENT, RISK_TIER, valuesOf } from '@/lib/vocabulary';

export const AGENT_KINDS = valuesOf(AGENT_KIND);
export const ENVIRONMENTS = valuesOf(ENVIRONMENT);
export const RISK_TIERS = valuesOf(RISK_TIER);
export const AGENT_STATUSES = valuesOf(AGENT_STATUS);
export const PLANES = valuesOf(CONTROL_PLANE);

const optionalText = (max: number, message: string) =>
  FreeText(max, message)
    .optional()
    .transform((v) => (v ? v : undefined));

export const version = z.coerce.number('The form is out of date: reload the page.').int().positive();

// One schema per input: the forms, the server actions and the API all use these.
export const AgentFieldsSchema = z.object({
  name: FreeText(120, 'Keep the name under 120 characters.').pipe(z.string().min(1, 'Give the agent a name.')),
  description: FreeText(2000, 'Keep the description under 2,000 characters.').default(''),
  kind: z.enum(AGENT_KINDS, 'Choose what kind of agent this is.'),
  workloadIdentity: optionalText(300, 'Keep the workload identity under 300 characters.').pipe(
    z
      .string()
      .regex(
        /^[a-z][a-z0-9+.-]*:\S+$/i,
        'Use a URI such as spiffe://example.com/agents/deploy-bot or an OIDC subject URI.',
      )
      .optional(),
  ),
  environments: z
    .array(z.enum(ENVIRONMENTS, 'Unknown environment.'))
    .min(1, 'Choose at least one environment.')
    .transform((e) => [...new Set(e)]),
  riskTier: z.enum(RISK_TIERS, 'Choose a risk tier.'),
  reviewCadenceDays: z
    .union([
      z.literal('').transform(() => undefined),
      z.coerce.number().int('Whole days only.').min(1, 'At least 1 day.').max(730, 'At most 730 days.'),
    ])
    .optional(),
});

export const RegisterAgentSchema = AgentFieldsSchema.extend({
  slug: z
    .string()
    .trim()
    .toLowerCase()
    .min(3, 'Use at least 3 characters.')
    .max(64, 'Use at most 64 characters.')
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'Use lower-case letters, digits and single hyphens, e.g. deploy-bot.'),
  ownerId: OptionalId,
});

/** The fields an edit changes (and a registry file or the API may set): each compared and audited by name. */
export const EDITABLE_FIELDS = [
  'name',
  'description',
  'kind',
  'workloadIdentity',
  'environments',
  'riskTier',
  'reviewCadenceDays',
] as const;

export const UpdateAgentSchema = AgentFieldsSchema.extend({
  id: Id,
  version,
  /** Why: kept with a change request when the edit loosens a control. */
  reason: OptionalReason,
});

export const ChangeStatusSchema = z.object({
  id: Id,
  version,
  to: z.enum(AGENT_STATUSES, 'Choose a status.'),
  reason: Reason,
});

const flag = z
  .enum(['1', 'true'])
  .optional()
  .transform((v) => v !== undefined);

export const AGENT_SORTS = ['name', 'slug', 'status', 'riskTier', 'nextReviewDue', 'createdAt'] as const;
export type AgentSort = (typeof AGENT_SORTS)[number];

/** The agents list's URL state: search, filters, sort and a keyset cursor. Bad values fall back to defaults. */
export const AgentListQuerySchema = z.object({
  q: FreeText(200).optional().catch(undefined),
  status: z.enum(AGENT_STATUSES).optional().catch(undefined),
  riskTier: z.enum(RISK_TIERS).optional().catch(undefined),
  environment: z.enum(ENVIRONMENTS).optional().catch(undefined),
  kind: z.enum(AGENT_KINDS).optional().catch(undefined),
  owner: Id.optional().catch(undefined),
  /** Not retired: proposed, active or suspended. */
  inService: flag.catch(false),
  /**
   * In service without an active owner and three active plane owners (the dashboard's "complete ownership" complement).
   */
  ownershipIncomplete: flag.catch(false),
  planeUnassigned: flag.catch(false),
  orphaned: flag.catch(false),
  reviewOverdue: flag.catch(false),
  /** Ready for issuance (every agent-level rule of the gate passes), or not. */
  ready: z.enum(['yes', 'no']).optional().catch(undefined),
  sort: z.enum(AGENT_SORTS).catch('name').default('name'),
  dir: z.enum(['asc', 'desc']).catch('asc').default('asc'),
  ...keysetParams,
});

export type AgentListQuery = z.infer<typeof AgentListQuerySchema>;

export function parseAgentListQuery(params: Record<string, string | string[] | undefined>): AgentListQuery {
  return AgentListQuerySchema.parse(
    Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])),
  );
}
