import { z } from 'zod';
import { version } from '@/lib/agents/schema';
import { metadataText } from '@/lib/credentials/schema';

export const TOKEN_SCOPES = ['events:write', 'registry:read', 'audit:read'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export const SCOPE_LABELS: Record<TokenScope, string> = {
  'events:write': 'Report custody events (issued, used, rotated, revoked)',
  'registry:read': 'Read agents and their owners',
  'audit:read': 'Read the custody timeline',
};

export const CreateTokenSchema = z.object({
  name: metadataText(80, 'Keep the name under 80 characters.').pipe(
    z.string().min(3, 'Name the token after what uses it, e.g. vault-broker-prod.'),
  ),
  scopes: z.array(z.enum(TOKEN_SCOPES, 'Unknown scope.')).min(1, 'Choose at least one scope.'),
  expiresInDays: z.coerce
    .number('Give the lifetime in days.')
    .int('Whole days only.')
    .min(1, 'At least 1 day.')
    .max(366, 'At most 366 days: rotate tokens at least yearly.'),
});

export const RevokeTokenSchema = z.object({ tokenId: z.string().min(1), version });
