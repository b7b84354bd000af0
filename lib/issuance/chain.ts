// A chained decision: the asking agent acts for B, which acts for C, …. Every hop is its own decision: the agent
// acted for passes the gate's agent rules, a delegation grant in force lets the previous agent act for it, for this
// task and environment, and the agent itself is approved for the task. What may be issued is the intersection: the
// scope every agent's purposes name, the shortest TTL, ending no later than any grant relied on.
import { needsEscalation } from '@/lib/escalation/rules';
import type { DelegationStatus, Environment } from '@/lib/generated/prisma/enums';
import { ENVIRONMENT, labelOf } from '@/lib/vocabulary';
import {
  askedScope,
  ISSUANCE_RULES,
  purposeNamesEntry,
  purposeNamesTask,
  type AgentFacts,
  type DecisionFacts,
  type IssuanceRule,
  type PurposeFacts,
} from './rules';
import type { DecisionReason, IssuanceRuleId } from './schema';

export type GrantFacts = {
  id: string;
  tasks: string[];
  environments: Environment[];
  status: DelegationStatus;
  expiresAt: Date | null;
  endedAt: Date | null;
};

/** One agent of `onBehalfOf`, as read when deciding. */
export type HopFacts = {
  /** Its place in `onBehalfOf`: 1 for the first named. */
  hop: number;
  /** The name given. */
  ref: string;
  /** The agent it names (null: none, or one the asker may not see). */
  agent: AgentFacts | null;
  purposes: PurposeFacts[];
  criticalFindings: { ruleId: string; detail: string }[];
  /** Grants ever in force (approved, since expired or revoked) from the agent before it in the chain, latest first. */
  grants: GrantFacts[];
  tierMaxTtlSeconds: number;
};

export type ChainFacts = { hops: HopFacts[]; maxHops: number };

/** The gate's rules about an agent itself, which every agent acted for must pass too. */
const AGENT_RULE_IDS: IssuanceRuleId[] = [
  'agent-active',
  'owner-active',
  'planes-owned',
  'escalation-reachable',
  'review-current',
  'no-critical-finding',
];
const AGENT_RULES = ISSUANCE_RULES.filter((r) => AGENT_RULE_IDS.includes(r.id));

type ChainRule = Pick<IssuanceRule, 'id' | 'title' | 'anchor'>;

/** The chain's own rules (the agent rules and the TTL rule are reused, with the hop named). */
export const CHAIN_RULES: ChainRule[] = [
  { id: 'delegation-chain', anchor: 'delegation', title: 'The chain names registered agents, once each, in few hops' },
  { id: 'delegation-granted', anchor: 'delegation', title: 'A delegation in force lets each agent act for the next' },
  { id: 'delegation-task', anchor: 'delegation', title: 'Each delegation names the task or tool' },
  { id: 'delegation-environment', anchor: 'delegation', title: 'Each delegation covers the environment' },
  { id: 'delegation-scope', anchor: 'purposes', title: 'Each agent acted for is approved for what is asked' },
];

/** Whether a grant names the task or tool: the task itself, or its system (`github` covers `github:write`). */
export function grantNamesTask(grant: Pick<GrantFacts, 'tasks'>, task: string): boolean {
  return purposeNamesTask({ id: '', task: '', scope: grant.tasks, environments: [] }, task);
}

/** In force for at least another second: an allow never ends as it is given. */
const inForce = (g: GrantFacts, now: Date) =>
  g.status === 'APPROVED' && g.expiresAt !== null && g.expiresAt.getTime() >= now.getTime() + 1000;
const when = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';

/** A grant's tasks read as a purpose's scope: `github` names `github:write`. */
const asPurpose = (g: GrantFacts): PurposeFacts => ({ id: g.id, task: '', scope: g.tasks, environments: [] });

/** A hop's grants in force that name the task. */
const liveGrants = (f: DecisionFacts, hop: HopFacts) =>
  hop.grants.filter((g) => inForce(g, f.now) && grantNamesTask(g, f.input.task));

/** The grant a hop relies on: in force, naming the task, covering the environment, the longest-lived. */
function reliedGrant(f: DecisionFacts, hop: HopFacts): GrantFacts | null {
  return (
    liveGrants(f, hop)
      .filter((g) => g.environments.includes(f.input.environment))
      .sort((a, b) => b.expiresAt!.getTime() - a.expiresAt!.getTime())[0] ?? null
  );
}

/** The purposes of an agent acted for that cover the task in the environment. */
const coveringForTask = (f: DecisionFacts, hop: HopFacts) =>
  hop.purposes.filter((p) => p.environments.includes(f.input.environment) && purposeNamesTask(p, f.input.task));

/**
 * The scope narrowed hop by hop: each agent acted for keeps the entries its covering purposes name. Null when the
 * scope is unknown (the credential asked for was not found: its own rule says so).
 */
function narrowing(f: DecisionFacts): { scope: string[] | null; dropped: Map<number, string[]> } {
  const dropped = new Map<number, string[]>();
  const asked = askedScope(f);
  if (asked === null || !f.chain) return { scope: asked, dropped };
  let scope: string[] = asked;
  for (const hop of f.chain.hops) {
    const covering = coveringForTask(f, hop);
    const lent = liveGrants(f, hop).filter((g) => g.environments.includes(f.input.environment));
    if (!hop.agent || covering.length === 0 || lent.length === 0) continue;
    // What this hop lends: named both by a purpose of the agent acted for and by a grant it approved.
    const kept: string[] = scope.filter(
      (entry) =>
        covering.some((p) => purposeNamesEntry(p, entry)) && lent.some((g) => purposeNamesEntry(asPurpose(g), entry)),
    );
    if (kept.length < scope.length)
      dropped.set(
        hop.hop,
        scope.filter((e) => !kept.includes(e)),
      );
    scope = kept;
  }
  return { scope, dropped };
}

/** Every reason a chain fails, each naming its hop. Nothing when the asking agent is unknown (its rule says so). */
export function chainReasons(f: DecisionFacts): DecisionReason[] {
  const chain = f.chain;
  if (!chain || chain.hops.length === 0 || !f.agent) return [];
  const reasons: DecisionReason[] = [];
  const env = f.input.environment;
  const task = f.input.task;
  if (chain.hops.length > chain.maxHops) {
    reasons.push({
      rule: 'delegation-chain',
      sentence: `The chain names ${chain.hops.length} agents; the policy allows at most ${chain.maxHops} hops.`,
      fix: 'Ask with a shorter chain, or ask a security lead to allow more hops.',
    });
  }
  const { scope, dropped } = narrowing(f);
  const recorded = !('kind' in f.input.credential);
  const seen = new Set([f.agent.id]);
  const where = labelOf(ENVIRONMENT, env);
  const quoted = `“${task}”`;
  const lent = (grants: GrantFacts[]) => joined(grants.flatMap((g) => g.tasks));
  const joined = (values: string[]) => [...new Set(values)].join(', ');
  let before: AgentFacts | null = f.agent;
  for (const hop of chain.hops) {
    const agent = hop.agent;
    const at = (reason: Omit<DecisionReason, 'hop' | 'agent'>) =>
      reasons.push({ ...reason, hop: hop.hop, ...(agent ? { agent: agent.slug } : {}) });
    if (!agent) {
      // One answer whether the agent is missing or beyond the asker's reach: a token learns nothing outside it.
      at({
        rule: 'delegation-chain',
        sentence: `“${hop.ref}” is not an agent this request may act through.`,
        fix: 'Name each agent by its workload identity or slug; a broker’s token reaches only the agents it serves.',
      });
      before = null;
      continue;
    }
    if (seen.has(agent.id)) {
      at({
        rule: 'delegation-chain',
        sentence: `${agent.slug} appears twice in the chain: a chain of delegation never loops back.`,
        fix: 'Name each agent once, nearest first.',
      });
      before = agent;
      continue;
    }
    seen.add(agent.id);
    const asHop: DecisionFacts = { ...f, agent, purposes: hop.purposes, criticalFindings: hop.criticalFindings };
    for (const rule of AGENT_RULES) {
      const failed = rule.check(asHop);
      if (failed) at({ rule: rule.id, ...failed });
    }
    if (before) {
      const live = hop.grants.filter((g) => inForce(g, f.now));
      const naming = live.filter((g) => grantNamesTask(g, task));
      if (live.length === 0) {
        const last = hop.grants[0];
        const ended = last
          ? last.status === 'REVOKED'
            ? `; the last one was revoked${last.endedAt ? ` ${when(last.endedAt)}` : ''}`
            : `; the last one expired ${when(last.expiresAt ?? last.endedAt ?? f.now)}`
          : '';
        at({
          rule: 'delegation-granted',
          sentence: `No delegation in force lets ${before.slug} act for ${agent.slug}${ended}.`,
          fix: `Ask ${agent.slug}’s accountable owner to approve a delegation to ${before.slug}.`,
        });
      } else if (naming.length === 0) {
        at({
          rule: 'delegation-task',
          sentence: `${before.slug} may act for ${agent.slug} only for ${lent(live)}, not ${quoted}.`,
          fix: `Ask within the delegated tasks, or for a delegation naming “${task}”.`,
        });
      } else if (!naming.some((g) => g.environments.includes(env))) {
        at({
          rule: 'delegation-environment',
          sentence:
            `${before.slug} may act for ${agent.slug} for “${task}” only in ` +
            `${joined(naming.flatMap((g) => g.environments.map((e) => labelOf(ENVIRONMENT, e))))}, not ${where}.`,
          fix: `Ask in an environment the delegation covers, or for a delegation covering ${where}.`,
        });
      }
    }
    if (coveringForTask(f, hop).length === 0) {
      at({
        rule: 'delegation-scope',
        sentence: `${agent.slug} has no approved purpose for “${task}” in ${where}: it cannot lend what it may not do.`,
        fix: `Approve a purpose of ${agent.slug} for “${task}” in ${where}.`,
      });
    } else if (dropped.has(hop.hop) && (recorded || scope?.length === 0)) {
      // A recorded credential reaches what it reaches: every entry must survive. A new one is issued narrowed.
      at({
        rule: 'delegation-scope',
        sentence:
          `Acting for ${agent.slug} does not reach ${dropped.get(hop.hop)!.join(', ')}: its approved purposes and ` +
          'its delegation must both name what is asked.',
        fix: recorded
          ? `Ask for a credential within ${agent.slug}’s approved scope, or by kind and scope for a narrower new one.`
          : `Ask for a scope within ${agent.slug}’s approved purposes.`,
      });
    }
    if (f.credential?.issuance === 'STATIC' && needsEscalation(agent.riskTier)) {
      // An exception on the asking agent's credential does not reach the agent it acts for.
      at({
        rule: 'no-static-for-high-risk',
        sentence: `${f.credential.name} is static, and acting for ${agent.slug} (${agent.riskTier} risk) needs more.`,
        fix: 'Issue a dynamic credential just in time for a chain through a HIGH or CRITICAL agent.',
      });
    }
    if (f.input.ttlSeconds > hop.tierMaxTtlSeconds) {
      at({
        rule: 'ttl-within-policy',
        sentence:
          `${f.input.ttlSeconds} s asked for; at most ${hop.tierMaxTtlSeconds} s is allowed when acting for ` +
          `${agent.slug}, a ${agent.riskTier} agent.`,
        fix: `Ask for ${hop.tierMaxTtlSeconds} seconds or less.`,
      });
    }
    before = agent;
  }
  return reasons;
}

/** What an allowed chain grants: the narrowed scope, the grants relied on, and the TTL they and the tiers leave. */
export function chainAllowance(f: DecisionFacts): {
  scope: string[];
  onBehalfOf: { agent: string; grantId: string; endsAt: string }[];
  maxTtlSeconds: number;
} {
  const scope = narrowing(f).scope ?? [];
  const hops = f.chain?.hops ?? [];
  const relied = hops.map((hop) => ({ hop, grant: reliedGrant(f, hop)! }));
  const untilGrants = relied.map(({ grant }) => Math.floor((grant.expiresAt!.getTime() - f.now.getTime()) / 1000));
  return {
    scope,
    onBehalfOf: relied.map(({ hop, grant }) => ({
      agent: hop.agent!.slug,
      grantId: grant.id,
      endsAt: grant.expiresAt!.toISOString(),
    })),
    maxTtlSeconds: Math.min(Infinity, ...untilGrants, ...hops.map((h) => h.tierMaxTtlSeconds)),
  };
}
