import 'server-only';
import { createHash } from 'node:crypto';
import { canOnAgent, requirePermission, type Actor } from '@/lib/authz';
import { Forbidden } from '@/lib/errors';
import { readInput } from '@/lib/secrets/read-input';
import type { TokenActor } from '@/lib/tokens/bearer';
import { reaches } from '@/lib/tokens/reach';
import { chainAllowance, chainReasons } from './chain';
import { readDecisionFacts } from './facts';
import { recordDecision } from './record';
import { ISSUANCE_RULES, staticForHighRisk, ttlLimit, type DecisionFacts } from './rules';
import {
  DecisionInputSchema,
  DryRunSchema,
  type DecisionAsk,
  type DecisionReason,
  type DecisionResult,
} from './schema';

/** What the rules conclude from the facts: every failing rule, and the constraints of an allow. */
export function conclude(f: DecisionFacts): Omit<DecisionResult, 'id' | 'seq'> {
  const reasons: DecisionReason[] = [
    ...ISSUANCE_RULES.flatMap((rule) => {
      const failed = rule.check(f);
      return failed ? [{ rule: rule.id, ...failed }] : [];
    }),
    ...chainReasons(f),
  ];
  const base = {
    decidedAt: f.now.toISOString(),
    agent: f.agent ? { slug: f.agent.slug, riskTier: f.agent.riskTier } : null,
    reasons,
  };
  if (reasons.length > 0) return { ...base, decision: 'deny', constraints: null };
  // An exception is relied on only where a rule needed it: a static credential for a HIGH or CRITICAL agent. Then
  // the credential must not outlive the exception.
  const relied = staticForHighRisk(f) ? f.exception : null;
  const untilEnd = relied ? Math.floor((relied.expiresAt.getTime() - f.now.getTime()) / 1000) : Infinity;
  // Acting for others: the scope every agent may reach, until the first grant relied on ends.
  const chain = chainAllowance(f);
  const maxTtlSeconds = Math.max(0, Math.min(ttlLimit(f), untilEnd, chain.maxTtlSeconds));
  const granted = Math.min(f.input.ttlSeconds, maxTtlSeconds);
  return {
    ...base,
    decision: 'allow',
    constraints: {
      maxTtlSeconds,
      validUntil: new Date(f.now.getTime() + granted * 1000).toISOString(),
      justInTime: f.credential?.issuance !== 'STATIC',
      exception: relied ? { id: relied.id, type: relied.type, endsAt: relied.expiresAt.toISOString() } : null,
      scope: chain.scope,
      onBehalfOf: chain.onBehalfOf,
    },
  };
}

/** Who asks: a broker's token (the decision is recorded), or a person in the console (a dry run, nothing recorded). */
export type Asker =
  { record: true; token: TokenActor; idempotencyKey?: string } | { record: false; actor: Actor | null };

/**
 * Decides whether a credential may be issued, by the rules of lib/issuance/rules.ts read against the registry as it
 * is now. With `record: true` (the API), the workload identity presented names the agent, the token must reach it
 * and its creator be allowed to record custody for it now, and the decision — allow or deny — is one
 * `issuance.decided` event with the owners at the time; a retry with the same Idempotency-Key returns the first
 * answer and records nothing twice. With `record: false` (the agent page), the agent itself is named and nothing is
 * recorded.
 */
export async function decideIssuance(input: unknown, asker: Asker): Promise<DecisionResult> {
  if (!asker.record) {
    requirePermission(asker.actor, 'agent.read');
    const { agentId, credentialId, kind, scope, ...rest } = await readInput(DryRunSchema, input, asker.actor);
    const ask: DecisionAsk = {
      ...rest,
      credential: credentialId ? { id: credentialId } : { kind: kind!, scope: scope! },
    };
    return { id: 'dry-run', seq: null, ...conclude(await readDecisionFacts({ agentId }, ask)) };
  }
  const { token, idempotencyKey } = asker;
  const { workloadIdentity, ...ask } = await readInput(
    DecisionInputSchema,
    input,
    { type: 'API_TOKEN', id: token.id },
    { 'Idempotency-Key': idempotencyKey },
  );
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  const facts = withinReach(token, await readDecisionFacts({ workloadIdentity }, ask, token.policy));
  refuseOutsideReach(token, facts);
  return recordDecision({ token, facts, outcome: conclude(facts), idempotencyKey, requestHash });
}

/** The agents a chain names that the token does not reach read as no agent: it learns nothing about them. */
function withinReach(token: TokenActor, f: DecisionFacts): DecisionFacts {
  if (!f.chain) return f;
  const hops = f.chain.hops.map((hop) =>
    hop.agent && !reaches(token.reach, hop.agent)
      ? { ...hop, agent: null, purposes: [], criticalFindings: [], grants: [], tierMaxTtlSeconds: 0 }
      : hop,
  );
  return { ...f, chain: { ...f.chain, hops } };
}

/** A token asks only about the agents it reaches and its creator may record custody for, now. */
function refuseOutsideReach(token: TokenActor, f: DecisionFacts): void {
  const agent = f.agent;
  // One answer whether or not an agent holds the identity: a scoped token learns nothing about agents beyond it.
  const outside = () =>
    new Forbidden('This token does not reach the agent with this workload identity: it is scoped to other agents.');
  if (!agent) {
    // An identity no agent holds: a token scoped to some agents asks only within its own prefix.
    const within =
      token.reach.kind === 'ALL' ||
      (token.reach.kind === 'WORKLOAD_PREFIX' && (f.workloadIdentity ?? '').startsWith(token.reach.prefix));
    if (!within) throw outside();
    return;
  }
  if (!reaches(token.reach, agent)) throw outside();
  if (!canOnAgent(token.creator, 'credential.write', agent.ownerId)) {
    throw new Forbidden(
      `This token acts as ${token.creator.name ?? 'its creator'}, who may not record custody for this agent.`,
    );
  }
}
