import { z } from 'zod';
import { version } from '@/lib/agents/schema';
import { FreeText, Id, IdOf } from '@/lib/secrets/free-text';

export const TOKEN_SCOPES = [
  'events:write',
  'events:backfill',
  'registry:read',
  'registry:write',
  'audit:read',
  'decisions:check',
  'scim:provision',
  'discovery:import',
] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const SCOPE_LABELS: Record<TokenScope, string> = {
  'events:write': 'Report custody events (issued, used, rotated, revoked)',
  'events:backfill': 'Report events older than the policy window (marked as backfilled)',
  'registry:read': 'Read agents and their owners',
  'registry:write': 'Register and edit agents, owners, purposes and lifecycle, as the token’s creator may',
  'audit:read': 'Read the custody timeline',
  'decisions:check': 'Ask the issuance gate before issuing a credential (each decision is recorded)',
  'scim:provision': 'Provision, update and deprovision people and groups from the identity provider (SCIM 2.0)',
  'discovery:import':
    'Import agents and custody found in Vault audit logs and AWS credential reports (npm run discover)',
};

export const CreateTokenSchema = z
  .object({
    name: FreeText(80, 'Keep the name under 80 characters.').pipe(
      z.string().min(3, 'Name the token after what uses it, e.g. vault-broker-prod.'),
    ),
    scopes: z.array(z.enum(TOKEN_SCOPES, 'Unknown scope.')).min(1, 'Choose at least one scope.'),
    /** Bounded again by the policy's longest lifetime when the token is created. */
    expiresInDays: z.coerce
      .number('Give the lifetime in days.')
      .int('Whole days only.')
      .min(1, 'At least 1 day.')
      .max(366, 'At most 366 days: rotate tokens at least yearly.'),
    agentScope: z.enum(['ALL', 'LIST', 'WORKLOAD_PREFIX'], 'Choose which agents it reaches.').default('ALL'),
    /** Agent slugs, comma- or line-separated (for LIST). */
    agents: z
      .union([z.array(FreeText(64)), FreeText(40_000)])
      .optional()
      .transform((v) => [
        ...new Set((Array.isArray(v) ? v : (v ?? '').split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean)),
      ])
      .pipe(z.array(IdOf('A slug is letters, digits and hyphens.')).max(500, 'At most 500 agents.')),
    workloadPrefix: FreeText(300, 'Keep the prefix under 300 characters.')
      .optional()
      .transform((v) => v || undefined),
  })
  .superRefine((v, ctx) => {
    if (v.agentScope === 'LIST' && v.agents.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['agents'], message: 'Name at least one agent by its slug.' });
    }
    if (v.agentScope === 'WORKLOAD_PREFIX' && (v.workloadPrefix ?? '').length < 8) {
      ctx.addIssue({
        code: 'custom',
        path: ['workloadPrefix'],
        message: 'Give a workload-identity prefix of at least 8 characters, e.g. spiffe://example.com/ci/.',
      });
    }
  });

export const RevokeTokenSchema = z.object({ tokenId: Id, version });
