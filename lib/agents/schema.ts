import { z } from 'zod';

const flag = z
  .enum(['1', 'true'])
  .optional()
  .transform((v) => v !== undefined);

/** The agents list's URL state: filters, search and page. */
export const AgentListQuerySchema = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  status: z.enum(['PROPOSED', 'ACTIVE', 'SUSPENDED', 'RETIRED']).optional().catch(undefined),
  riskTier: z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']).optional().catch(undefined),
  orphaned: flag.catch(false),
  reviewOverdue: flag.catch(false),
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
});

export type AgentListQuery = z.infer<typeof AgentListQuerySchema>;
