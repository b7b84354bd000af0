import { expect, it } from 'vitest';
import { verifyAuditChain } from '@/lib/audit';
import { trustedPublicKeys } from '@/lib/audit/signing';
import { getDb } from '@/lib/db';
import { postDecisionAs, readyGate } from '@/lib/testing/issuance';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { authenticate } from '@/lib/tokens/bearer';
import { conclude } from './decide';
import { readDecisionFacts } from './facts';
import { recordDecision, type Concluded } from './record';

/** Decisions concluded for the gate's ask as its token would have them, ready to record. */
async function concluder(token: string, ask: Awaited<ReturnType<typeof readyGate>>['ask']) {
  const actor = await authenticate(
    new Request('http://localhost', { headers: { authorization: `Bearer ${token}` } }),
    'decisions:check',
  );
  const { workloadIdentity, ...rest } = ask;
  return async (requestHash: string, idempotencyKey?: string): Promise<Concluded> => {
    const facts = await readDecisionFacts({ workloadIdentity }, rest, actor.policy);
    return { token: actor, facts, outcome: conclude(facts), requestHash, idempotencyKey };
  };
}

const decisionsOf = (agentId: string) =>
  getDb().auditEvent.findMany({ where: { agentId, action: 'issuance.decided' }, orderBy: { seq: 'asc' } });

describeWithPostgresServer('decisions recorded together (group commit)', () => {
  it('forty decisions at once: each recorded once with its own seq, in fewer transactions, chain intact', async () => {
    const { agent, token, tokenId, ask } = await readyGate();
    const answers = await Promise.all(Array.from({ length: 40 }, () => postDecisionAs(token, ask)));
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
    expect(bodies.every((b) => b.decision === 'allow')).toBe(true);

    const events = await decisionsOf(agent.id);
    expect(events).toHaveLength(40);
    // Every answer names its own event and decision.
    expect(new Set(bodies.map((b) => b.seq))).toEqual(new Set(events.map((e) => e.seq.toString())));
    expect(new Set(bodies.map((b) => b.id)).size).toBe(40);
    expect(await getDb().issuanceDecision.count({ where: { tokenId } })).toBe(40);
    // A batch is one append: its events share the moment they were recorded. Fewer moments than events means
    // decisions were written together.
    expect(new Set(events.map((e) => e.recordedAt.getTime())).size).toBeLessThan(40);
    expect((await verifyAuditChain(getDb(), { keys: trustedPublicKeys() })).ok).toBe(true);
  });

  it('a key retried while its first request is in flight: one decision recorded, every answer the first', async () => {
    const { agent, token, tokenId, ask } = await readyGate();
    const answers = await Promise.all(Array.from({ length: 8 }, () => postDecisionAs(token, ask, 'same-key')));
    const bodies = await Promise.all(answers.map((a) => a.json()));
    expect(answers.map((a) => a.status)).toEqual(Array(8).fill(200));
    for (const body of bodies) expect(body).toEqual(bodies[0]);
    expect(await decisionsOf(agent.id)).toHaveLength(1);
    expect(await getDb().issuanceDecision.count({ where: { tokenId } })).toBe(1);
  });

  it('one key sent at once with two different requests: one is recorded, the other refused with 409', async () => {
    const { agent, token, ask } = await readyGate();
    const answers = await Promise.all([
      postDecisionAs(token, ask, 'k-1'),
      postDecisionAs(token, { ...ask, ttlSeconds: 60 }, 'k-1'),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(await decisionsOf(agent.id)).toHaveLength(1);
  });

  it('one key twice in one batch: recorded once, both get the first answer; a different request gets 409', async () => {
    const { agent, token, ask } = await readyGate();
    const concluded = await concluder(token, ask);
    const [busy, first, again, other] = await Promise.all([
      concluded('0'.repeat(64)),
      concluded('1'.repeat(64), 'twice'),
      concluded('1'.repeat(64), 'twice'),
      concluded('2'.repeat(64), 'twice'),
    ]);
    // The first is written at once, alone; the three with one key wait and go together in the next batch.
    const settled = await Promise.allSettled([busy, first, again, other].map((c) => recordDecision(c!)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    const [, a, b, c] = settled as [
      unknown,
      PromiseFulfilledResult<unknown>,
      PromiseFulfilledResult<unknown>,
      PromiseRejectedResult,
    ];
    expect(b.value).toEqual(a.value);
    expect(String(c.reason)).toMatch(/already used for a different request/);
    expect(await decisionsOf(agent.id)).toHaveLength(2);
  });

  it('a decision that cannot be written fails alone: the others of its batch are recorded', async () => {
    const { agent, token, ask } = await readyGate();
    const concluded = await concluder(token, ask);
    const hash = 'h'.repeat(64);
    const [a, b, c] = await Promise.all([concluded(hash), concluded(hash), concluded(hash)]);
    // A moment that cannot be written: the batch holding it fails as a whole.
    b!.facts = { ...b!.facts, now: new Date(Number.NaN) };
    // Asked in one tick: the first is written at once, alone; the second and third wait and go together.
    const settled = await Promise.allSettled([recordDecision(a!), recordDecision(b!), recordDecision(c!)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const events = await decisionsOf(agent.id);
    expect(events).toHaveLength(2);
    expect(events.map((e) => e.seq.toString())).toEqual(
      settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value.seq] : [])),
    );
  });
});
