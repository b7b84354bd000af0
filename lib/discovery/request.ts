import { z } from 'zod';
import { ENVIRONMENTS, RISK_TIERS } from '@/lib/agents/schema';
import { MAX_IDENTITIES, SOURCES } from './found';

/** The largest file a discovery reads (a day of a busy Vault's audit log is more: split it by hour). */
export const MAX_DISCOVERY_BYTES = 12 * 1024 * 1024;

/**
 * A discovery request, from the console or the API: the file as text, which source it is, the environment its
 * credentials belong to and the tier proposed agents start at; to apply, the identities left out and the digests
 * of the dry run the caller reviewed. The file is read, never kept: only what the plan records is stored.
 */
export const DiscoveryRequest = z
  .object({
    source: z.enum(SOURCES, 'Say which file this is: vault-audit or aws-credential-report.'),
    file: z
      .string('Send the file as text.')
      .min(1, 'The file is empty.')
      .max(MAX_DISCOVERY_BYTES, 'The file is over 12 MiB: split it.'),
    environment: z.enum(ENVIRONMENTS, 'Choose the environment the credentials belong to.').default('PROD'),
    riskTier: z.enum(RISK_TIERS, 'Choose the tier proposed agents start at.').default('MEDIUM'),
    exclude: z.array(z.string().max(1000)).max(MAX_IDENTITIES).default([]),
    expect: z.record(z.string().max(1000), z.string().max(64)).optional(),
  })
  .strict();
export type DiscoveryRequest = z.output<typeof DiscoveryRequest>;
