// Reviews changed in the database, against the events that opened, joined and completed them: the issuance gate
// refuses an agent whose open review is overdue, and the agent page says when it was last reviewed, so a review
// closed, deleted or put off by a superuser's statement must be named by the registry check.
import { describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { addPurpose } from '@/lib/purposes/commands';
import { completeReview } from '@/lib/reviews/commands';
import { openOrJoinReview, openOrJoinReviews } from '@/lib/reviews/triggers';
import { makeActiveAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { appendAuditEvent } from './append';
import { recordRegistryBaseline } from './baseline';
import { registryDrift } from './drift';

/** Each drifting row of these ids, as `problem`. */
const problems = async (ids: string[]) =>
  Object.fromEntries(
    (await registryDrift(getDb())).filter((d) => ids.includes(d.id)).map((d) => [d.id, d.problem] as const),
  );

const openReviewOf = (agentId: string) => getDb().review.findUniqueOrThrow({ where: { openForAgent: agentId } });

/** People to run agents and reviews with, and an agent in service whose new purpose opened its review. */
async function setup() {
  const lead = await createPerson(['ADMIN']);
  const owner = await createPerson(['OWNER']);
  const iam = await createPerson(['OWNER']);
  const people = [lead, owner, iam];
  const reviewed = async () => {
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' }, { IAM: iam.id });
    await addPurpose(owner, { agentId: agent.id, task: 'Opens a review', scope: 'github', environments: ['DEV'] });
    return { agent, review: await openReviewOf(agent.id) };
  };
  /** `n` such agents, one after another. */
  const reviewedMany = async (n: number) => {
    const all: Awaited<ReturnType<typeof reviewed>>[] = [];
    for (let i = 0; i < n; i++) all.push(await reviewed());
    return all;
  };
  /** Completes an agent's open review as its assigned reviewer. */
  const complete = async (agentId: string) => {
    const review = await openReviewOf(agentId);
    const reviewer = people.find((p) => p.id === review.reviewerId) as Actor;
    await completeReview(reviewer, {
      reviewId: review.id,
      version: review.version,
      outcome: 'CERTIFIED',
      notes: 'Checked its purpose',
    });
    return review;
  };
  return { lead, reviewedMany, complete };
}

describe('reviews against their record', () => {
  it('a review closed, deleted, put off, reopened or inserted by hand shows; one kept properly not', async () => {
    const { lead, reviewedMany, complete } = await setup();
    const [closed, putOff, deleted, reopened, column, joined, honest] = await reviewedMany(7);
    // Through Custodian: a second trigger joins one (brought forward), one completed, another completed and reopened
    // by a new purpose (a review of its own).
    await getDb().$transaction((tx) =>
      openOrJoinReview(tx, { type: 'USER', id: lead.id }, joined!.agent.id, 'ENVIRONMENT_CHANGED'),
    );
    expect((await openReviewOf(joined!.agent.id)).triggers).toEqual(['PURPOSE_CHANGED', 'ENVIRONMENT_CHANGED']);
    await complete(honest!.agent.id);
    await complete(reopened!.agent.id);
    const all = [closed, putOff, deleted, reopened, column, joined, honest];
    const ids = [...all.map((r) => r!.review.id), ...all.map((r) => `due:${r!.agent.id}`)];
    expect(await problems(ids)).toEqual({});
    expect(await problems(['inserted-review'])).toEqual({});

    // Each lifts the gate's block on an overdue review, or says a review happened that did not.
    await asOwner(
      `UPDATE "Review" SET "completedAt" = now(), "openForAgent" = NULL, "outcome" = 'CERTIFIED'
       WHERE "id" = '${closed!.review.id}'`,
      `UPDATE "Review" SET "dueAt" = "dueAt" + interval '3650 days' WHERE "id" = '${putOff!.review.id}'`,
      `DELETE FROM "Review" WHERE "id" = '${deleted!.review.id}'`,
      `UPDATE "Review" SET "completedAt" = NULL, "openForAgent" = "agentId", "outcome" = NULL
       WHERE "id" = '${reopened!.review.id}'`,
      `UPDATE "Agent" SET "openReviewDueAt" = NULL WHERE "id" = '${column!.agent.id}'`,
      `INSERT INTO "Review" ("id", "agentId", "triggers", "dueAt", "completedAt", "outcome", "updatedAt")
       VALUES ('inserted-review', '${honest!.agent.id}', ARRAY['SCHEDULED']::"ReviewTrigger"[], now(), now(),
         'CERTIFIED', now())`,
    );
    const put = await getDb().review.findUniqueOrThrow({ where: { id: putOff!.review.id } });
    expect(await problems([...ids, 'inserted-review'])).toEqual({
      [closed!.review.id]: 'it is closed, and no event completes it',
      [putOff!.review.id]:
        `it falls due ${put.dueAt.toISOString()}; its record says ${putOff!.review.dueAt.toISOString()}`,
      [deleted!.review.id]: 'it was opened, and is gone before it was completed',
      [reopened!.review.id]: 'it was completed, and is open again',
      [`due:${column!.agent.id}`]:
        'the agent is held to another due date than its open review’s (the column was written by hand)',
      'inserted-review': 'it is completed, and no event records it (or its opening)',
    });
    const drift = await registryDrift(getDb());
    expect(drift.find((d) => d.id === deleted!.review.id)).toMatchObject({
      kind: 'review',
      subject: `Review of ${deleted!.agent.slug}`,
      unrecorded: false,
    });
    expect(drift.find((d) => d.id === 'inserted-review')).toMatchObject({ unrecorded: true });
  });

  it('a put-off review joined, a trigger stripped, a completion moved or held open: each still shows', async () => {
    const { lead, reviewedMany, complete } = await setup();
    const [laundered, stripped, moved, held, inserted, completedByHand] = await reviewedMany(6);
    // A trigger that wants the review in sixty days: later than it falls due, so the sooner date stands.
    const join = (agentId: string) =>
      getDb().$transaction((tx) =>
        openOrJoinReviews(
          tx,
          { type: 'USER', id: lead.id },
          [{ agentId, dueAt: new Date(Date.now() + 60 * 86_400_000) }],
          'ENVIRONMENT_CHANGED',
        ),
      );
    const completedMoved = await complete(moved!.agent.id);
    const completedHeld = await complete(held!.agent.id);
    const firstOfByHand = await complete(completedByHand!.agent.id);
    const ids = [laundered, stripped, moved, held].map((r) => r!.review.id);
    expect(await problems(ids)).toEqual({});

    await asOwner(
      // Put off ten years, then joined honestly: the join must not write the row's date into the record.
      `UPDATE "Review" SET "dueAt" = "dueAt" + interval '3650 days' WHERE "id" = '${laundered!.review.id}'`,
      // The post-incident trigger (which bars the owner from reviewing) stripped.
      `UPDATE "Review" SET "triggers" = ARRAY[]::"ReviewTrigger"[] WHERE "id" = '${stripped!.review.id}'`,
      // A completion moved later (who asked for a break-glass since may then review), and one held open.
      `UPDATE "Review" SET "completedAt" = now() + interval '1 day' WHERE "id" = '${completedMoved.id}'`,
      `UPDATE "Review" SET "openForAgent" = "agentId" WHERE "id" = '${completedHeld.id}'`,
      // Opened by hand: a join on record does not make its opening recorded.
      `UPDATE "Review" SET "openForAgent" = NULL, "completedAt" = now(), "outcome" = 'CERTIFIED'
       WHERE "id" = '${inserted!.review.id}'`,
      `INSERT INTO "Review" ("id", "agentId", "openForAgent", "triggers", "dueAt", "updatedAt")
       VALUES ('opened-by-hand', '${inserted!.agent.id}', '${inserted!.agent.id}',
         ARRAY['SCHEDULED']::"ReviewTrigger"[],
         now() + interval '1 year', now())`,
    );
    // Opened by hand, with a reviewer of its choosing, then completed through Custodian between two checks.
    await asOwner(
      `INSERT INTO "Review" ("id", "agentId", "openForAgent", "triggers", "dueAt", "reviewerId", "updatedAt")
       VALUES ('then-completed', '${completedByHand!.agent.id}', '${completedByHand!.agent.id}',
         ARRAY['SCHEDULED']::"ReviewTrigger"[], now() + interval '1 year', '${firstOfByHand.reviewerId}', now())`,
    );
    await complete(completedByHand!.agent.id);
    await join(laundered!.agent.id);
    // Every trigger now joins the completed review held open for its agent.
    await join(held!.agent.id);
    await join(inserted!.agent.id);
    const found = await problems([...ids, 'opened-by-hand', 'then-completed']);
    const putOff = await getDb().review.findUniqueOrThrow({ where: { id: laundered!.review.id } });
    expect(found[laundered!.review.id]).toBe(
      `it falls due ${putOff.dueAt.toISOString()}; its record says ${laundered!.review.dueAt.toISOString()}`,
    );
    expect(found[stripped!.review.id]).toBe('its triggers are not those recorded (who may review it depends on them)');
    expect(found[moved!.review.id]).toMatch(/^it was completed at \S+; its record says \S+$/);
    expect(found[held!.review.id]).toBe(
      'it is completed, and still held open for its agent (every trigger would join it); ' +
        'a trigger joined it after it was completed',
    );
    expect(found['opened-by-hand']).toBe('no event opens it (only a trigger joining it is on record)');
    expect(found['then-completed']).toBe('no event opens it (only its completion is on record)');
    expect((await registryDrift(getDb())).find((d) => d.id === 'opened-by-hand')).toMatchObject({ unrecorded: true });
  });

  it('one opened before its due date was recorded is the baseline’s to vouch for, and held to it after', async () => {
    const { lead } = await setup();
    const agent = await makeActiveAgent(lead, { ownerId: lead.id });
    // As an earlier release opened it: the row, and its opening without the date.
    await asOwner(
      `INSERT INTO "Review" ("id", "agentId", "openForAgent", "triggers", "dueAt", "updatedAt")
       VALUES ('legacy-review', '${agent.id}', '${agent.id}', ARRAY['SCHEDULED']::"ReviewTrigger"[],
         now() + interval '10 days', now())`,
    );
    await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'review.opened',
        actor: { type: 'SYSTEM', id: 'older-release' },
        agentId: agent.id,
        details: { reviewId: 'legacy-review', triggers: ['SCHEDULED'] },
      }),
    );
    const [legacy] = (await registryDrift(getDb())).filter((d) => d.id === 'legacy-review');
    expect(legacy).toMatchObject({ unrecorded: true, problem: 'its due date was never recorded' });
    await recordRegistryBaseline(getDb(), { only: (d) => d.id === 'legacy-review' });
    expect(await problems(['legacy-review'])).toEqual({});
    await asOwner(`UPDATE "Review" SET "dueAt" = "dueAt" + interval '1 day' WHERE "id" = 'legacy-review'`);
    expect(await problems(['legacy-review'])).toEqual({
      'legacy-review': expect.stringMatching(/^it falls due \S+; its record says \S+$/),
    });
  });
});
