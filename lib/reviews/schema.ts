import { z } from 'zod';
import { AGENT_KINDS, ENVIRONMENTS, RISK_TIERS, version } from '@/lib/agents/schema';
import { FreeText, Id, IdOf } from '@/lib/secrets/free-text';
import { REVIEW_OUTCOME, valuesOf } from '@/lib/vocabulary';

export const REVIEW_OUTCOMES = valuesOf(REVIEW_OUTCOME);
export const REVIEW_VIEWS = ['mine', 'due-soon', 'overdue', 'open', 'completed'] as const;
export type ReviewView = (typeof REVIEW_VIEWS)[number];

/** The form fields that carry a review's chosen reductions (checkbox groups). */
export const REDUCTION_FIELDS = ['expirePurposes', 'revokeCredentials', 'revokeExceptions'] as const;

const ids = z.array(Id).max(500, 'At most 500 items in one review.').default([]);

export const CompleteReviewSchema = z
  .object({
    reviewId: Id,
    version,
    outcome: z.enum(REVIEW_OUTCOMES, 'Choose an outcome.'),
    notes: FreeText(4000, 'Keep the notes under 4,000 characters.').pipe(
      z.string().min(3, 'Say what you checked and why you decided this (at least 3 characters).'),
    ),
    expirePurposes: ids,
    revokeCredentials: ids,
    revokeExceptions: ids,
  })
  .superRefine((review, ctx) => {
    const chosen = review.expirePurposes.length + review.revokeCredentials.length + review.revokeExceptions.length;
    if (review.outcome === 'CERTIFIED' && chosen > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['outcome'],
        message: 'Certifying changes nothing: clear the reductions, or choose “Scope reduced”.',
      });
    }
    if (review.outcome === 'SCOPE_REDUCED' && chosen === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['outcome'],
        message: 'Choose at least one purpose to expire, credential to revoke or exception to revoke.',
      });
    }
  });

export const AssignReviewerSchema = z.object({
  reviewId: Id,
  version,
  reviewerId: IdOf('Choose a reviewer.'),
});

// A calendar day that exists: 2026-02-31 is refused, not rolled over to 3 March.
const dateOnly = z.iso.date('Give the deadline as a date that exists (YYYY-MM-DD).');

export const StartCampaignSchema = z.object({
  name: FreeText(120, 'Keep the name under 120 characters.').pipe(
    z.string().min(3, 'Name the campaign (at least 3 characters).'),
  ),
  deadline: dateOnly,
  riskTiers: z.array(z.enum(RISK_TIERS, 'Unknown risk tier.')).min(1, 'Choose at least one risk tier.'),
  statuses: z
    .array(z.enum(['ACTIVE', 'SUSPENDED'], 'Only active and suspended agents are reviewed.'))
    .min(1, 'Choose active, suspended or both.'),
  environments: z.array(z.enum(ENVIRONMENTS, 'Unknown environment.')).default([]),
  kinds: z.array(z.enum(AGENT_KINDS, 'Unknown kind.')).default([]),
});
export type CampaignFilter = Pick<
  z.infer<typeof StartCampaignSchema>,
  'riskTiers' | 'statuses' | 'environments' | 'kinds'
>;
export const CAMPAIGN_LIST_FIELDS = ['riskTiers', 'statuses', 'environments', 'kinds'] as const;

export const CloseCampaignSchema = z.object({ campaignId: Id, version });
