import 'server-only';
import { randomBytes } from 'node:crypto';
import { appendAuditEvents } from '@/lib/audit';
import type { OwnersSnapshot } from '@/lib/audit/owners';
import { getDb } from '@/lib/db';
import { prepared } from '@/lib/db/prepared';
import { hotTransaction, type SqlTx } from '@/lib/db/sql-tx';
import { Conflict } from '@/lib/errors';
import { Prisma } from '@/lib/generated/prisma/client';
import {
  claimIdempotencyKey,
  claimIdempotencyKeys,
  keepIdempotentAnswers,
  type KeyClaim,
} from '@/lib/idempotency/keys';
import type { TokenActor } from '@/lib/tokens/bearer';
import type { DecisionFacts } from './rules';
import type { DecisionResult } from './schema';

// Group commit. Every decision is an event on the one hash chain, and appending serialises on its head: recorded one
// transaction each, a busy gate queues on that lock. So the decisions concluded while a batch is being written are
// written together in the next one — one transaction, one lock of the head, one statement per table — and each
// answer is returned once its batch has committed. With nothing in flight a decision is written at once, alone.

/** A decision concluded from the facts, waiting to be recorded. */
export type Concluded = {
  token: TokenActor;
  facts: DecisionFacts;
  outcome: Omit<DecisionResult, 'id' | 'seq'>;
  idempotencyKey?: string;
  requestHash: string;
};

type Pending = Concluded & { resolve: (result: DecisionResult) => void; reject: (error: unknown) => void };

/** How many decisions one transaction writes at most: a batch holds the chain lock only a few milliseconds. */
const MAX_BATCH = 200;

const queue: Pending[] = [];
let writing = false;

/** Records a decision (its event, its projection row, its Idempotency-Key's answer) and returns it once committed. */
export function recordDecision(concluded: Concluded): Promise<DecisionResult> {
  return new Promise((resolve, reject) => {
    queue.push({ ...concluded, resolve, reject });
    void drain();
  });
}

async function drain(): Promise<void> {
  if (writing) return;
  writing = true;
  try {
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_BATCH);
      const started = Date.now();
      try {
        await writeBatch(batch);
      } catch (error) {
        // One decision that cannot be written (a deadlock on a key, a row gone) must not fail the others: each is
        // written alone, and only its own failure is its answer. A batch that failed waiting on the database
        // failed for all of them: retried one by one it would hold every later decision for as long again.
        if (batch.length === 1 || Date.now() - started > RETRY_ALONE_WITHIN_MS) {
          for (const one of batch) one.reject(error);
        } else {
          for (const one of batch) await writeBatch([one]).catch(one.reject);
        }
      }
    }
  } finally {
    writing = false;
  }
}

/** A batch that failed sooner than this failed on one of its decisions, not on waiting for the database. */
const RETRY_ALONE_WITHIN_MS = 2_000;

const TRANSACTION = { timeout: 30_000, maxWait: 30_000 };

async function writeBatch(batch: Pending[]): Promise<void> {
  // On the hot pool's connection: the batch is a few raw statements, and Prisma's transaction would cost more.
  const { written, retried } = await hotTransaction(async (tx) => {
    // One request per key claims it: a second with the same key in this batch waits for the first's answer.
    const firstWithKey = new Map<string, Pending>();
    for (const p of batch) {
      if (p.idempotencyKey && !firstWithKey.has(keyOf(p))) firstWithKey.set(keyOf(p), p);
    }
    const claims: KeyClaim[] = [...firstWithKey.values()].map((p) => ({
      tokenId: p.token.id,
      key: p.idempotencyKey!,
      requestHash: p.requestHash,
    }));
    const claimed = await claimIdempotencyKeys(tx, 'decisions', claims);
    // A key another request holds (a retry of one in flight, or already answered): not decided twice.
    const held = (p: Pending) =>
      p.idempotencyKey !== undefined && (firstWithKey.get(keyOf(p)) !== p || !claimed.has(keyOf(p)));
    const toWrite = batch.filter((p) => !held(p));
    const results = await write(tx, toWrite);
    await keepIdempotentAnswers(
      tx,
      'decisions',
      toWrite.flatMap((p, i) =>
        p.idempotencyKey ? [{ tokenId: p.token.id, key: p.idempotencyKey, answer: results[i] }] : [],
      ),
    );
    return { written: toWrite.map((p, i) => [p, results[i]!] as const), retried: batch.filter(held) };
  });
  for (const [p, result] of written) p.resolve(result);
  for (const p of retried) void firstAnswer(p).then(p.resolve, p.reject);
}

const keyOf = (p: Pending) => `${p.token.id} ${p.idempotencyKey}`;

/** A retry's answer: the first one, once the request holding its key has committed. */
async function firstAnswer(p: Pending): Promise<DecisionResult> {
  const first = await getDb().$transaction(async (tx) => {
    const answer = await claimIdempotencyKey<DecisionResult>(
      tx,
      'decisions',
      p.token.id,
      p.idempotencyKey!,
      p.requestHash,
    );
    // Claimed after all: the request that held the key rolled back. This claim rolls back too (nothing is kept),
    // and the broker asks again: the facts this request concluded on are no longer fresh.
    if (!answer) throw new Conflict('The request that held this Idempotency-Key did not complete: send it again.');
    return answer;
  }, TRANSACTION);
  return replayable(first, p.outcome);
}

/** How long a retry with the same key gets the first answer: a retry is seconds later, a new ask is a new key. */
const REPLAY_WINDOW_MS = 5 * 60_000;

/**
 * The first answer to a retried request, while it still holds: within the retry window, for an allow before it
 * expires, and while the registry still allows it (the retry's facts were read as it arrived: a suspension or a
 * finding since, and the broker must ask again).
 */
function replayable(first: DecisionResult, current: Concluded['outcome']): DecisionResult {
  const now = Date.now();
  const lapsed =
    new Date(first.decidedAt).getTime() + REPLAY_WINDOW_MS <= now ||
    (first.constraints !== null && new Date(first.constraints.validUntil).getTime() <= now) ||
    // The retry's own reading of the registry, now: an allow the rules would deny today is not handed out again.
    (first.decision === 'allow' && current.decision === 'deny');
  if (lapsed) {
    throw new Conflict(
      `This Idempotency-Key answered a decision at ${first.decidedAt} that no longer holds: ask again with a new key.`,
    );
  }
  return first;
}

/** The projection rows and the events of a batch, the projection first: the chain head is locked last. */
async function write(tx: SqlTx, batch: Concluded[]): Promise<DecisionResult[]> {
  if (batch.length === 0) return [];
  const ids = batch.map(() => `dec_${randomBytes(12).toString('hex')}`);
  const rows = batch.map(({ token, facts: f, outcome }, i) => ({
    id: ids[i],
    agentId: f.agent?.id ?? null,
    credentialId: f.credential?.id ?? null,
    workloadIdentity: f.workloadIdentity ?? '',
    allowed: outcome.decision === 'allow',
    decidedAt: f.now.toISOString(),
    validUntil: outcome.constraints?.validUntil ?? null,
    tokenId: token.id,
    refusedBy: outcome.reasons.map((r) => r.rule),
  }));
  await tx.$executeRaw(
    prepared(Prisma.sql`INSERT INTO "IssuanceDecision"
    ("id", "agentId", "credentialId", "workloadIdentity", "allowed", "decidedAt", "validUntil", "tokenId", "refusedBy")
    SELECT "id", "agentId", "credentialId", "workloadIdentity", "allowed", "decidedAt", "validUntil", "tokenId",
      "refusedBy"
    FROM json_populate_recordset(NULL::"IssuanceDecision", ${JSON.stringify(rows)}::json)`),
  );
  // The owners each decision's facts read. Two decisions on one agent that read different owners (a change between
  // them): the owners are read again here, at the append, for all of them.
  const read = new Map<string, OwnersSnapshot>();
  let differ = false;
  for (const { facts: f } of batch) {
    if (!f.agent || !f.owners) continue;
    const before = read.get(f.agent.id);
    if (before && JSON.stringify(before) !== JSON.stringify(f.owners)) differ = true;
    read.set(f.agent.id, f.owners);
  }
  const owners = differ ? undefined : read;
  const appended = await appendAuditEvents(
    tx,
    batch.map(({ token, facts: f, outcome }, i) => ({
      action: 'issuance.decided' as const,
      actor: { type: 'API_TOKEN' as const, id: token.id },
      agentId: f.agent?.id ?? null,
      credentialId: f.credential?.id ?? null,
      occurredAt: f.now,
      details: {
        decisionId: ids[i]!,
        decision: outcome.decision,
        workloadIdentity: f.workloadIdentity ?? '',
        credential: f.credential ? { id: f.credential.id, name: f.credential.name } : f.input.credential,
        task: f.input.task,
        environment: f.input.environment,
        ttlSeconds: f.input.ttlSeconds,
        ...(f.chain ? { onBehalfOf: f.chain.hops.map((h) => h.agent?.slug ?? h.ref) } : {}),
        reasons: outcome.reasons,
        ...(outcome.constraints ? { constraints: outcome.constraints } : {}),
      },
    })),
    owners,
    // A decision changes nothing in the registry (its own row is the gate's record).
    { recordsOnly: true },
  );
  return batch.map(({ outcome }, i) => ({ id: ids[i]!, seq: appended[i]!.seq.toString(), ...outcome }));
}
