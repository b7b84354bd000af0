import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { appendAuditEvent } from '@/lib/audit';
import { canOnAgent, requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { Conflict, Forbidden } from '@/lib/errors';
import { claimIdempotencyKey, keepIdempotentAnswer } from '@/lib/idempotency/keys';
import { readInput } from '@/lib/secrets/read-input';
import type { TokenActor } from '@/lib/tokens/bearer';
import { reaches } from '@/lib/tokens/reach';
import { readDecisionFacts } from './facts';
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
  const reasons: DecisionReason[] = ISSUANCE_RULES.flatMap((rule) => {
    const failed = rule.check(f);
    return failed ? [{ rule: rule.id, ...failed }] : [];
  });
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
  const maxTtlSeconds = Math.max(0, Math.min(ttlLimit(f), untilEnd));
  const granted = Math.min(f.input.ttlSeconds, maxTtlSeconds);
  return {
    ...base,
    decision: 'allow',
    constraints: {
      maxTtlSeconds,
      validUntil: new Date(f.now.getTime() + granted * 1000).toISOString(),
      justInTime: f.credential?.issuance !== 'STATIC',
      exception: relied ? { id: relied.id, type: relied.type, endsAt: relied.expiresAt.toISOString() } : null,
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
    return { id: 'dry-run', seq: null, ...conclude(await readDecisionFacts(getDb(), { agentId }, ask)) };
  }
  const { token, idempotencyKey } = asker;
  const { workloadIdentity, ...ask } = await readInput(
    DecisionInputSchema,
    input,
    { type: 'API_TOKEN', id: token.id },
    { 'Idempotency-Key': idempotencyKey },
  );
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  return getDb().$transaction(
    async (tx) => {
      if (idempotencyKey) {
        const first = await claimIdempotencyKey<DecisionResult>(tx, 'decisions', token.id, idempotencyKey, requestHash);
        if (first) return replayable(first);
      }
      const facts = await readDecisionFacts(tx, { workloadIdentity }, ask, token.policy);
      refuseOutsideReach(token, facts);
      const result = await record(tx, token, facts, conclude(facts));
      if (idempotencyKey) await keepIdempotentAnswer(tx, 'decisions', token.id, idempotencyKey, result);
      return result;
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}

/** How long a retry with the same key gets the first answer: a retry is seconds later, a new ask is a new key. */
export const REPLAY_WINDOW_MS = 5 * 60_000;

/**
 * The first answer to a retried request, while it still holds: within the retry window and, for an allow, before it
 * expires. Later, the registry may have changed (a suspension, a finding): the broker must ask again.
 */
function replayable(first: DecisionResult): DecisionResult {
  const now = Date.now();
  const lapsed =
    new Date(first.decidedAt).getTime() + REPLAY_WINDOW_MS <= now ||
    (first.constraints !== null && new Date(first.constraints.validUntil).getTime() <= now);
  if (lapsed) {
    throw new Conflict(
      `This Idempotency-Key answered a decision at ${first.decidedAt} that no longer holds: ask again with a new key.`,
    );
  }
  return first;
}

/** A token asks only about the agents it reaches and its creator may record custody for, now. */
function refuseOutsideReach(token: TokenActor, f: DecisionFacts): void {
  const agent = f.agent;
  // One answer whether or not an agent holds the identity: a scoped token learns nothing about agents beyond it.
  const outside = new Forbidden(
    'This token does not reach the agent with this workload identity: it is scoped to other agents.',
  );
  if (!agent) {
    // An identity no agent holds: a token scoped to some agents asks only within its own prefix.
    const within =
      token.reach.kind === 'ALL' ||
      (token.reach.kind === 'WORKLOAD_PREFIX' && (f.workloadIdentity ?? '').startsWith(token.reach.prefix));
    if (!within) throw outside;
    return;
  }
  if (!reaches(token.reach, agent)) throw outside;
  if (!canOnAgent(token.creator, 'credential.write', agent.ownerId)) {
    throw new Forbidden(
      `This token acts as ${token.creator.name ?? 'its creator'}, who may not record custody for this agent.`,
    );
  }
}

async function record(
  tx: Tx,
  token: TokenActor,
  f: DecisionFacts,
  outcome: Omit<DecisionResult, 'id' | 'seq'>,
): Promise<DecisionResult> {
  const id = `dec_${randomBytes(12).toString('hex')}`;
  // The projection first: the chain head is locked last, for as short a time as the append takes.
  const validUntil = outcome.constraints ? new Date(outcome.constraints.validUntil) : null;
  await tx.$executeRaw`INSERT INTO "IssuanceDecision"
    ("id", "agentId", "credentialId", "workloadIdentity", "allowed", "decidedAt", "validUntil", "tokenId")
    VALUES (${id}, ${f.agent?.id ?? null}, ${f.credential?.id ?? null}, ${f.workloadIdentity ?? ''},
      ${outcome.decision === 'allow'}, ${f.now}, ${validUntil}, ${token.id})`;
  const appended = await appendAuditEvent(
    tx,
    {
      action: 'issuance.decided',
      actor: { type: 'API_TOKEN', id: token.id },
      agentId: f.agent?.id ?? null,
      credentialId: f.credential?.id ?? null,
      occurredAt: f.now,
      details: {
        decisionId: id,
        decision: outcome.decision,
        workloadIdentity: f.workloadIdentity ?? '',
        credential: f.credential ? { id: f.credential.id, name: f.credential.name } : f.input.credential,
        task: f.input.task,
        environment: f.input.environment,
        ttlSeconds: f.input.ttlSeconds,
        reasons: outcome.reasons,
        ...(outcome.constraints ? { constraints: outcome.constraints } : {}),
      },
    },
    f.agent && f.owners ? new Map([[f.agent.id, f.owners]]) : undefined,
  );
  return { id, seq: appended.seq.toString(), ...outcome };
}
