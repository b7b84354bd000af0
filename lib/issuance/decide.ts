import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { appendAuditEvent } from '@/lib/audit';
import { canOnAgent, requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { Conflict, Forbidden } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import { readInput } from '@/lib/secrets/read-input';
import type { TokenActor } from '@/lib/tokens/bearer';
import { reaches } from '@/lib/tokens/reach';
import { readDecisionFacts, type Subject } from './facts';
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

/** The console's "would it be allowed?": the same rules, nothing recorded. */
export async function dryRunIssuance(actor: Actor | null, input: unknown): Promise<DecisionResult> {
  requirePermission(actor, 'agent.read');
  const { agentId, credentialId, kind, scope, ...rest } = await readInput(DryRunSchema, input, actor);
  const ask: DecisionAsk = {
    ...rest,
    credential: credentialId ? { id: credentialId } : { kind: kind!, scope: scope! },
  };
  const facts = await readDecisionFacts(getDb(), { agentId }, ask);
  return { id: 'dry-run', seq: null, ...conclude(facts) };
}

/**
 * Decides whether a broker may issue a credential to the workload that
 * presented itself, and records the decision — allow or deny — as one
 * `issuance.decided` event with the owners at the time. The token must reach
 * the agent and its creator must be allowed to record custody for it now.
 * With an Idempotency-Key, a retry returns the first answer and records
 * nothing twice.
 */
export async function decideIssuance(
  input: unknown,
  options: { record: true; token: TokenActor; idempotencyKey?: string },
): Promise<DecisionResult> {
  const { token, idempotencyKey } = options;
  const { workloadIdentity, ...ask } = await readInput(DecisionInputSchema, input, { type: 'API_TOKEN', id: token.id });
  const requestHash = createHash('sha256').update(JSON.stringify(input)).digest('hex');
  return getDb().$transaction(
    async (tx) => {
      if (idempotencyKey) {
        const first = await claimKey(tx, token.id, idempotencyKey, requestHash);
        if (first) return first;
      }
      const subject: Subject = { workloadIdentity };
      const facts = await readDecisionFacts(tx, subject, ask);
      refuseOutsideReach(token, facts);
      const result = await record(tx, token, facts, conclude(facts));
      if (idempotencyKey) {
        await tx.idempotencyKey.update({
          where: { tokenId_key: { tokenId: token.id, key: keyOf(idempotencyKey) } },
          data: { response: result as unknown as Prisma.InputJsonValue },
        });
      }
      return result;
    },
    { timeout: 30_000, maxWait: 30_000 },
  );
}

/** A token asks only about the agents it reaches and its creator may record custody for, now. */
function refuseOutsideReach(token: TokenActor, f: DecisionFacts): void {
  const agent = f.agent;
  if (!agent) {
    // An identity no agent holds: a token scoped to some agents asks only within its own prefix.
    const within =
      token.reach.kind === 'ALL' ||
      (token.reach.kind === 'WORKLOAD_PREFIX' && (f.workloadIdentity ?? '').startsWith(token.reach.prefix));
    if (!within) throw new Forbidden('This token is scoped to other agents: it cannot ask about this identity.');
    return;
  }
  if (!reaches(token.reach, agent)) {
    throw new Forbidden(`This token does not reach ${agent.slug}: it is scoped to other agents.`);
  }
  if (!canOnAgent(token.creator, 'credential.write', agent.ownerId)) {
    throw new Forbidden(
      `This token acts as ${token.creator.name ?? 'its creator'}, who may not decide custody for ${agent.slug}.`,
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
  const appended = await appendAuditEvent(tx, {
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
      reasons: outcome.reasons.map(({ rule, sentence }) => ({ rule, sentence })),
      ...(outcome.constraints ? { constraints: outcome.constraints } : {}),
    },
  });
  await tx.issuanceDecision.create({
    data: {
      id,
      seq: appended.seq,
      agentId: f.agent?.id ?? null,
      credentialId: f.credential?.id ?? null,
      workloadIdentity: f.workloadIdentity ?? '',
      allowed: outcome.decision === 'allow',
      decidedAt: f.now,
      validUntil: outcome.constraints ? new Date(outcome.constraints.validUntil) : null,
      tokenId: token.id,
    },
  });
  return { id, seq: appended.seq.toString(), ...outcome };
}

// Decisions share the ingest's idempotency table under their own prefix: one key never answers both.
const keyOf = (key: string) => `decision:${key}`;

async function claimKey(tx: Tx, tokenId: string, key: string, requestHash: string): Promise<DecisionResult | null> {
  const inserted = await tx.$queryRaw<{ key: string }[]>`
    INSERT INTO "IdempotencyKey" ("tokenId", "key", "requestHash", "response", "createdAt")
    VALUES (${tokenId}, ${keyOf(key)}, ${requestHash}, '{}'::jsonb, now())
    ON CONFLICT ("tokenId", "key") DO NOTHING RETURNING "key"`;
  if (inserted.length > 0) return null;
  const first = await tx.idempotencyKey.findUniqueOrThrow({ where: { tokenId_key: { tokenId, key: keyOf(key) } } });
  if (first.requestHash !== requestHash) {
    throw new Conflict('This Idempotency-Key was already used for a different decision. Use a new key for a new ask.');
  }
  return first.response as unknown as DecisionResult;
}
