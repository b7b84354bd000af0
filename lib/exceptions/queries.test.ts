import { expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { issueVaultedProdKey, makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { decideException, requestException } from './commands';
import { listExceptionQueue, listQueueView } from './queries';

describeWithPostgresServer('the exceptions queue', () => {
  it('reads each queue’s head in one statement exactly as the paged lists read their rows', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const [pam1, pam2] = [await createPerson(['PAM_APPROVER']), await createPerson(['PAM_APPROVER'])];
    const agent = await makeAgent(admin, { ownerId: owner.id, riskTier: 'CRITICAL' });
    const credential = (name: string) => issueVaultedProdKey(owner, agent.id, name);
    const [b, a] = [await credential('b-key'), await credential('a-key')];
    const ask = (input: Record<string, unknown>) =>
      requestException(owner, { agentId: agent.id, justification: 'Prod outage', durationHours: 2, ...input });
    // Pending: two credentials (listed by name), one approval of two; none; a rejection… Approved: both approvals.
    const half = await ask({ type: 'BREAK_GLASS', credentialIds: [b.id, a.id] });
    await decideException(pam1, { exceptionId: half.id, outcome: 'APPROVE', reason: 'first look' });
    await ask({ type: 'OTHER' });
    const approved = await ask({ type: 'BREAK_GLASS', noCredentialReason: 'Console access only' });
    await decideException(pam2, { exceptionId: approved.id, outcome: 'APPROVE', reason: 'all clear' });
    await decideException(pam1, { exceptionId: approved.id, outcome: 'APPROVE', reason: 'ok too' });

    const queue = await listExceptionQueue(admin);
    const pending = await listQueueView(admin, 'pending', { tab: 'queue', size: 25 });
    const active = await listQueueView(admin, 'in-force', { tab: 'queue', size: 25 });
    expect(queue.pending).toEqual(pending.rows);
    expect(queue.active).toEqual(active.rows);
    expect([queue.pendingTotal, queue.activeTotal]).toEqual([2, 1]);
    // What the comparison covers: relations, counts and dates all present.
    const [first] = queue.pending;
    expect(first).toMatchObject({
      id: half.id,
      agent: { slug: agent.slug },
      credentials: [{ credential: { name: 'a-key' } }, { credential: { name: 'b-key' } }],
      requestedBy: { id: owner.id },
      revokedBy: null,
      decisions: [{ outcome: 'APPROVE', reason: 'first look', decider: { id: pam1.id } }],
      _count: { decisions: 1 },
    });
    expect(first!.decisions[0]!.decidedAt).toBeInstanceOf(Date);
    expect(queue.active.map((e) => [e.id, e._count.decisions])).toEqual([[approved.id, 2]]);
    // Narrowed to those ending within a day: it ends in two hours, so it stays; beyond the window nothing does.
    expect((await listExceptionQueue(admin, 24)).active).toEqual(queue.active);
    expect((await listExceptionQueue(admin, 24, new Date(Date.now() - 23 * 3_600_000))).active).toEqual([]);
    expect(await getDb().exception.count()).toBe(3);
  });
});
