// The queue's tab counts other than "mine" are the same for everyone and reused between changes: a change through
// the domain functions shows at once, the time-driven ones (a due date passing) within a minute (the reuse window
// and its grace, lib/db/reused.ts).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { addPurpose } from '@/lib/purposes/commands';
import { makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { assignReviewer } from './commands';
import { listReviews } from './queries';

const counts = async (actor: Awaited<ReturnType<typeof createPerson>>) =>
  (await listReviews(actor, { view: 'open', size: 50 })).counts;

/** An agent's review opened, the counts read, then the review falls due with no write anywhere (as the clock would). */
async function fallsDueWithoutAnEvent(task: string, scope: string) {
  const admin = await createPerson(['ADMIN']);
  const owner = await createPerson(['OWNER']);
  const agent = await makeActiveAgent(admin, { ownerId: owner.id });
  await addPurpose(owner, { agentId: agent.id, task, scope, environments: ['PROD'] });
  const before = await counts(admin);
  await asOwner(`UPDATE "Review" SET "dueAt" = now() - interval '1 day' WHERE "openForAgent" = '${agent.id}'`);
  return { admin, before };
}

describe('the reviews queue’s counts', () => {
  afterEach(() => vi.useRealTimers());

  it('follow a review opened by a change at once, for every reader, and "mine" is each reader’s own', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(admin, { ownerId: owner.id });
    const before = await counts(admin);
    // A purpose added opens a review of the agent (an event, so the registry's mark moves).
    await addPurpose(owner, { agentId: agent.id, task: 'Summarise tickets', scope: 'jira', environments: ['PROD'] });
    expect(await getDb().review.count({ where: { openForAgent: agent.id } })).toBe(1);
    const after = await counts(admin);
    expect(after.open.total).toBe(before.open.total + 1);
    // The owner reads the shared counts just computed, and their own.
    const owners = await counts(owner);
    expect(owners.open).toEqual(after.open);
    expect(owners.mine.total).toBeGreaterThanOrEqual(1);
  });

  it('a due date passing (no event) shows once the reuse window has passed', async () => {
    const { admin, before } = await fallsDueWithoutAnEvent('Triage alerts', 'pagerduty');
    expect((await counts(admin)).overdue).toEqual(before.overdue);
    // Past the window, the reader that finds the counts expired is not kept waiting: it gets them as they were while
    // they are recounted, and the readers after it the new ones.
    vi.useFakeTimers({ now: Date.now() + 31_000, toFake: ['Date'] });
    expect((await counts(admin)).overdue).toEqual(before.overdue);
    await vi.waitFor(async () => expect((await counts(admin)).overdue.total).toBe(before.overdue.total + 1), {
      timeout: 5_000,
    });
  });

  it('a change in the grace after the window shows at once: the reader waits for counts that include it', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(admin, { ownerId: owner.id });
    const before = await counts(admin);
    vi.useFakeTimers({ now: Date.now() + 45_000, toFake: ['Date'] });
    await addPurpose(owner, { agentId: agent.id, task: 'Draft replies', scope: 'intercom', environments: ['PROD'] });
    expect((await counts(admin)).open.total).toBe(before.open.total + 1);
  });

  it('counts older than the window and its grace are recounted before they are shown', async () => {
    const { admin, before } = await fallsDueWithoutAnEvent('Route alerts', 'opsgenie');
    // A quiet minute: nobody read the queue, so nothing was recounted; the first reader past the window and its
    // grace waits for the true counts.
    vi.useFakeTimers({ now: Date.now() + 61_000, toFake: ['Date'] });
    expect((await counts(admin)).overdue.total).toBe(before.overdue.total + 1);
  });

  it('"mine" is the open reviews of agents I own and those I am assigned, each once', async () => {
    const admin = await createPerson(['ADMIN']);
    const me = await createPerson(['OWNER', 'ADMIN']);
    const other = await createPerson(['OWNER']);
    const owned = await makeActiveAgent(admin, { ownerId: me.id });
    const theirs = await makeActiveAgent(admin, { ownerId: other.id });
    for (const [owner, agent] of [
      [me, owned],
      [other, theirs],
    ] as const) {
      await addPurpose(owner, { agentId: agent.id, task: 'Answer tickets', scope: 'zendesk', environments: ['PROD'] });
    }
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: theirs.id } });
    await assignReviewer(admin, { reviewId: review.id, version: review.version, reviewerId: me.id });
    // A LOW agent of mine, whose review I am assigned too (in both branches), and one whose review nobody holds.
    const both = await makeActiveAgent(admin, { ownerId: me.id, riskTier: 'LOW' });
    const unassigned = await makeActiveAgent(admin, { ownerId: me.id });
    for (const agent of [both, unassigned]) {
      await addPurpose(me, { agentId: agent.id, task: 'File reports', scope: 'drive', environments: ['PROD'] });
    }
    const bothReview = await getDb().review.findUniqueOrThrow({ where: { openForAgent: both.id } });
    if (bothReview.reviewerId !== me.id) {
      await assignReviewer(admin, { reviewId: bothReview.id, version: bothReview.version, reviewerId: me.id });
    }
    await getDb().review.update({ where: { openForAgent: unassigned.id }, data: { reviewerId: null } });
    const mine = await listReviews(me, { view: 'mine', size: 25 });
    const expected = [owned, theirs, both, unassigned].map((a) => a.slug).sort();
    expect(mine.rows.map((r) => r.agent.slug).sort()).toEqual(expected);
    expect(mine.counts.mine).toEqual({ total: 4, capped: false });
    const others = await listReviews(other, { view: 'mine', size: 25 });
    expect(others.rows.map((r) => r.agent.slug)).toEqual([theirs.slug]);
  });

  it('"mine" pages forward and back in due order across both branches, each review once', async () => {
    const admin = await createPerson(['ADMIN']);
    const me = await createPerson(['OWNER']);
    const other = await createPerson(['OWNER']);
    // 60 agents of mine whose reviews nobody holds and 10 of someone else's that I review, due dates interleaved (two
    // share each date, so ties break by id across branches): each branch holds more than a page past every boundary.
    const agents = [
      ...(await Promise.all(Array.from({ length: 60 }, () => makeAgent(admin, { ownerId: me.id })))),
      ...(await Promise.all(Array.from({ length: 10 }, () => makeAgent(admin, { ownerId: other.id })))),
    ];
    const values = agents.map(
      (a, i) =>
        `('r-${a.id}', '${a.id}', '${a.id}', '{PURPOSE_CHANGED}', now() + interval '${Math.floor(i / 2) % 23} days', ` +
        `${i >= 60 ? `'${me.id}'` : 'NULL'}, now())`,
    );
    await asOwner(
      `INSERT INTO "Review" ("id", "agentId", "openForAgent", "triggers", "dueAt", "reviewerId", "updatedAt")
       VALUES ${values.join(', ')} ON CONFLICT ("openForAgent") DO UPDATE SET "dueAt" = EXCLUDED."dueAt",
       "reviewerId" = EXCLUDED."reviewerId"`,
    );
    const expected = (
      await getDb().review.findMany({
        where: { openForAgent: { in: agents.map((a) => a.id) } },
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        select: { id: true },
      })
    ).map((r) => r.id);
    const ids = (page: { rows: { id: string }[] }) => page.rows.map((r) => r.id);
    const first = await listReviews(me, { view: 'mine', size: 25 });
    expect(first.counts.mine).toEqual({ total: 70, capped: false });
    const second = await listReviews(me, { view: 'mine', size: 25, after: first.next! });
    const third = await listReviews(me, { view: 'mine', size: 25, after: second.next! });
    expect(third.next).toBeNull();
    expect([...ids(first), ...ids(second), ...ids(third)]).toEqual(expected);
    // Back from the last page: the same pages, in the same order.
    const back = await listReviews(me, { view: 'mine', size: 25, before: third.prev! });
    expect(ids(back)).toEqual(ids(second));
    expect(ids(await listReviews(me, { view: 'mine', size: 25, before: back.prev! }))).toEqual(ids(first));
    // The other owner's view holds their own agents' reviews, whoever reviews them, and none of mine.
    const theirs = await listReviews(other, { view: 'mine', size: 25 });
    expect(ids(theirs).sort()).toEqual(
      agents
        .slice(60)
        .map((a) => `r-${a.id}`)
        .sort(),
    );
  });
});
