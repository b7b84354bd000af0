import { can } from '@/lib/authz';
import type { ReviewTrigger, RiskTier, Role } from '@/lib/generated/prisma/enums';
import type { Settings } from '@/lib/settings';
import { RISK_TIER, wordOf } from '@/lib/vocabulary';

export type ReviewerCandidate = { id: string; name: string | null; active: boolean; roles: Role[] };

/** What choosing an agent's reviewer depends on. */
export type ReviewerFacts = {
  riskTier: RiskTier;
  owner: ReviewerCandidate | null;
  planes: Partial<Record<'IAM' | 'PAM' | 'PLATFORM', ReviewerCandidate>>;
  breakGlassRequesters: string[];
  /** Who loosened a credential, or recorded one loose, that the open review is about (./loosened-by.ts). */
  loosenedBy: string[];
};

/**
 * Whether the accountable owner may review their own agent at this tier (the configurable separation-of-duties rule).
 */
function ownerMayReview(riskTier: RiskTier, settings: Settings): boolean {
  return !settings.reviewerRule.ownerMayNotReviewTiers.includes(riskTier);
}

/**
 * What a review is about, for choosing who may do it: the agent's tier and owner, the review's triggers, and who
 * asked for a break-glass it follows.
 */
export type ReviewSubject = {
  riskTier: RiskTier;
  ownerId: string | null;
  triggers: readonly ReviewTrigger[];
  breakGlassRequesters: readonly string[];
  loosenedBy: readonly string[];
};

/** Why this person cannot review the agent, or null when they can. */
export function reviewerProblem(
  person: ReviewerCandidate | null,
  agent: ReviewSubject,
  settings: Settings,
): string | null {
  if (!person) return 'No reviewer is assigned: a security lead assigns one.';
  const name = person.name ?? 'This person';
  if (!person.active) return `${name} is deactivated: assign another reviewer.`;
  if (!can({ ...person, email: null }, 'review.complete')) return `${name} has no role that completes reviews.`;
  // After a break-glass the owner used, someone else judges it, whatever the tier.
  if (agent.triggers.includes('POST_INCIDENT')) {
    if (person.id === agent.ownerId) {
      return `${name} is the accountable owner: a post-incident review is done by someone else, whatever the tier.`;
    }
    if (agent.breakGlassRequesters.includes(person.id)) {
      return `${name} asked for the break-glass: someone else reviews what happened.`;
    }
  }
  // A credential loosened, or issued loose, is judged by someone other than the owner who holds it, and other than
  // whoever loosened it.
  if (agent.triggers.includes('CREDENTIAL_LOOSENED')) {
    if (person.id === agent.ownerId) {
      return `${name} is the accountable owner: a loosened credential is reviewed by someone else, whatever the tier.`;
    }
    if (agent.loosenedBy.includes(person.id)) {
      return `${name} loosened a credential of this agent, or recorded one loose: someone else reviews it.`;
    }
  }
  if (person.id === agent.ownerId && !ownerMayReview(agent.riskTier, settings)) {
    return (
      `${name} is the accountable owner, who may not review their own ${wordOf(RISK_TIER, agent.riskTier)}-risk ` +
      `agent (separation of duties).`
    );
  }
  return null;
}

/**
 * The reviewer a new review gets: the owner where the rule allows it, else the
 * first control owner (IAM, platform, PAM) who may review; null leaves it for
 * a security lead to assign.
 */
export function defaultReviewer(
  facts: ReviewerFacts,
  settings: Settings,
  triggers: readonly ReviewTrigger[],
): ReviewerCandidate | null {
  const agent = {
    riskTier: facts.riskTier,
    ownerId: facts.owner?.id ?? null,
    triggers,
    breakGlassRequesters: facts.breakGlassRequesters,
    loosenedBy: facts.loosenedBy,
  };
  const candidates = [facts.owner, facts.planes.IAM, facts.planes.PLATFORM, facts.planes.PAM];
  return candidates.find((c) => c && reviewerProblem(c, agent, settings) === null) ?? null;
}
