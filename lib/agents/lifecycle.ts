import { needsEscalation } from '@/lib/escalation/rules';
import type { AgentStatus, RiskTier } from '@/lib/generated/prisma/enums';
import { AGENT_STATUS, CONTROL_PLANE, wordOf } from '@/lib/vocabulary';

/** What the lifecycle rules need to know about an agent. */
export type LifecycleFacts = {
  status: AgentStatus;
  ownerActive: boolean | null; // null: no owner
  planesAssigned: ('IAM' | 'PAM' | 'PLATFORM')[];
  approvedPurposes: number;
  unrevokedCredentials: number;
  activeExceptions: number;
  riskTier: RiskTier;
  hasEscalation: boolean;
};

const ALLOWED: Record<AgentStatus, AgentStatus[]> = {
  PROPOSED: ['ACTIVE', 'RETIRED'],
  ACTIVE: ['SUSPENDED', 'RETIRED'],
  SUSPENDED: ['ACTIVE', 'RETIRED'],
  RETIRED: [],
};

/** Every rule the transition breaks, in plain words; empty when it is allowed. */
export function transitionProblems(facts: LifecycleFacts, to: AgentStatus): string[] {
  if (facts.status === to) return [`The agent is already ${wordOf(AGENT_STATUS, to)}.`];
  if (!ALLOWED[facts.status].includes(to)) {
    return facts.status === 'RETIRED'
      ? ['A retired agent stays retired: register a new agent instead.']
      : [`An agent cannot go from ${wordOf(AGENT_STATUS, facts.status)} to ${wordOf(AGENT_STATUS, to)}.`];
  }
  const problems: string[] = [];
  if (facts.status === 'PROPOSED' && to === 'ACTIVE') {
    if (facts.ownerActive === null) problems.push('It needs an accountable owner.');
    else if (!facts.ownerActive) problems.push('Its accountable owner is deactivated: assign an active one.');
    const missing = (['IAM', 'PAM', 'PLATFORM'] as const).filter((p) => !facts.planesAssigned.includes(p));
    if (missing.length > 0)
      problems.push(`Control planes without an owner: ${missing.map((p) => wordOf(CONTROL_PLANE, p)).join(', ')}.`);
    if (facts.approvedPurposes === 0) problems.push('It needs at least one approved purpose.');
  }
  if (to === 'ACTIVE' && needsEscalation(facts.riskTier) && !facts.hasEscalation) {
    problems.push('A HIGH or CRITICAL agent needs an escalation contact: who is paged, and how.');
  }
  if (to === 'RETIRED') {
    if (facts.unrevokedCredentials > 0)
      problems.push(`Revoke its ${facts.unrevokedCredentials} unrevoked credential(s) first.`);
    if (facts.activeExceptions > 0)
      problems.push(`Withdraw, reject or revoke its ${facts.activeExceptions} open exception(s) first.`);
  }
  return problems;
}

export type LifecycleMove = { to: AgentStatus; problems: string[] };

/**
 * The moves the lifecycle allows from the agent's status, each with the rules
 * it would break now: what the console offers, computed by the same rules the
 * command enforces.
 */
export function lifecycleMoves(facts: LifecycleFacts): LifecycleMove[] {
  return ALLOWED[facts.status].map((to) => ({ to, problems: transitionProblems(facts, to) }));
}
