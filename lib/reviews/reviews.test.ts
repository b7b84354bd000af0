import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@/lib/audit';
import { type Actor } from '@/lib/authz';
import { issueCredential, revokeCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden, Invalid } from '@/lib/errors';
import { decideException, requestException } from '@/lib/exceptions/commands';
import { addPurpose, changePurpose } from '@/lib/purposes/commands';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { makeActiveAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { deactivateUser } from '@/lib/users/commands';
import { dueAfter } from './cadence';
import { assignReviewer, completeReview } from './commands';
import { openScheduledReviews } from './scheduler';

type Person = Awaited<ReturnType<typeof createPerson>>;

/** An active agent with a credential, an exception in force and an open PURPOSE_CHANGED review. */
async function setup(riskTier: 'HIGH' | 'MEDIUM' = 'HIGH') {
  const admin = await createPerson(['ADMIN']);
  const owner = await createPerson(['OWNER']);
  const iam = await createPerson(['OWNER']);
  const agent = await makeActiveAgent(admin, { ownerId: owner.id, riskTier }, { IAM: iam.id });
  const { id: credentialId } = await issueCredential(owner, {
    agentId: agent.id,
    name: 'deploy-key',
    kind: 'API_KEY',
    issuance: 'STATIC',
    storage: 'VAULT_OR_BROKER',
    environment: 'PROD',
  });
  const { id: spareCredentialId } = await issueCredential(owner, {
    agentId: agent.id,
    name: 'read-token',
    kind: 'OAUTH_TOKEN',
    issuance: 'DYNAMIC',
    storage: 'VAULT_OR_BROKER',
    environment: 'PROD',
  });
  const { id: exceptionId } = await requestException(owner, {
    agentId: agent.id,
    credentialId,
    type: 'PERSISTENT_TOKEN',
    justification: 'Vendor API',
    durationHours: 48,
  });
  await decideException(await createPerson(['PAM_APPROVER']), {
    exceptionId,
    outcome: 'APPROVE',
    reason: 'Vendor limit confirmed',
  });
  const { id: purposeId } = await addPurpose(owner, {
    agentId: agent.id,
    task: 'Rotate certificates',
    scope: 'vault',
    environments: ['PROD'],
  });
  const review = await openReview(agent.id);
  return { admin, owner, iam, agent, credentialId, spareCredentialId, exceptionId, purposeId, review };
}

const openReview = (agentId: string) => getDb().review.findUniqueOrThrow({ where: { openForAgent: agentId } });
const eventsOf = (agentId: string, action: string) =>
  getDb().auditEvent.findMany({ where: { agentId, action }, orderBy: { seq: 'asc' } });
const complete = (actor: Actor, review: { id: string; version: number }, fields: Record<string, unknown>) =>
  completeReview(actor, {
    reviewId: review.id,
    version: review.version,
    notes: 'Checked purposes, credentials and exceptions',
    ...fields,
  });

describe('review triggers', () => {
  it('a change opens one review; later changes join its triggers instead of piling up', async () => {
    const { owner, agent, purposeId, review } = await setup();
    expect(review.triggers).toEqual(['PURPOSE_CHANGED']);
    await addPurpose(owner, { agentId: agent.id, task: 'Another task', scope: 'github', environments: ['PROD'] });
    await changePurpose(owner, {
      purposeId,
      version: 1,
      task: 'Rotate certificates',
      scope: 'vault, pki',
      environments: ['PROD', 'STAGING'],
    });
    const reviews = await getDb().review.findMany({ where: { agentId: agent.id } });
    expect(reviews).toHaveLength(1);
    expect(reviews[0]!.triggers).toEqual(['PURPOSE_CHANGED', 'TOOLSET_CHANGED', 'ENVIRONMENT_CHANGED']);
    expect(await eventsOf(agent.id, 'review.opened')).toHaveLength(1);
    expect(await eventsOf(agent.id, 'review.trigger_added')).toHaveLength(2);
    // A triggered review is due after the policy's window, at the end of that day.
    expect(reviews[0]!.dueAt.toISOString()).toMatch(/T23:59:59\.999Z$/);
  });

  it('the default reviewer follows the reviewer rule: a control owner for HIGH, the owner for MEDIUM', async () => {
    const high = await setup('HIGH');
    expect(high.review.reviewerId).toBe(high.iam.id);
    const medium = await setup('MEDIUM');
    expect(medium.review.reviewerId).toBe(medium.owner.id);
  });

  it(
    'an owner leaving opens an OWNER_DEPARTED review and passes the ' + 'reviews they were to do to another reviewer',
    async () => {
      const { admin, owner, iam, agent, review } = await setup('HIGH');
      const other = await makeActiveAgent(admin, { ownerId: iam.id, riskTier: 'MEDIUM' }, { IAM: owner.id });
      const person = await getDb().user.findUniqueOrThrow({ where: { id: iam.id } });
      await deactivateUser(admin, { userId: iam.id, version: person.version, reason: 'Left the company' });
      // iam was the reviewer of the first agent's review: it passes on (owner is excluded at HIGH, so the PLATFORM
      // owner:
      // admin).
      expect((await getDb().review.findUniqueOrThrow({ where: { id: review.id } })).reviewerId).toBe(admin.id);
      const departed = await openReview(other.id);
      expect(departed.triggers).toEqual(['OWNER_DEPARTED']);
      expect(departed.reviewerId).toBe(owner.id); // MEDIUM: the owner is inactive, so the IAM control owner
      expect(await eventsOf(agent.id, 'review.reviewer_assigned')).toHaveLength(1);
    },
  );
});

describe('completing a review', () => {
  it(
    'only the assigned reviewer completes it; the owner never reviews their own HIGH agent; the rule is ' +
      'configurable',
    async () => {
      const { admin, owner, iam, agent, review } = await setup('HIGH');
      const before = await databaseFingerprint();
      await expect(complete(owner, review, { outcome: 'CERTIFIED' })).rejects.toThrow(/Only the assigned reviewer/);
      await expect(complete(admin, review, { outcome: 'CERTIFIED' })).rejects.toThrow(Forbidden);
      await expect(
        assignReviewer(admin, { reviewId: review.id, version: review.version, reviewerId: owner.id }),
      ).rejects.toThrow(/accountable owner, who may not review/);
      await expect(
        assignReviewer(owner, { reviewId: review.id, version: review.version, reviewerId: iam.id }),
      ).rejects.toThrow(Forbidden);
      expect(await databaseFingerprint()).toEqual(before);

      // A reviewer set to the owner some other way (the owner changed after assignment) is still refused at completion.
      await getDb().review.update({ where: { id: review.id }, data: { reviewerId: owner.id } });
      await expect(complete(owner, review, { outcome: 'CERTIFIED' })).rejects.toThrow(/separation of duties/);

      // With HIGH removed from the rule, the owner may review it.
      await getDb().setting.create({ data: { key: 'reviewerRule', value: { ownerMayNotReviewTiers: ['CRITICAL'] } } });
      try {
        await expect(complete(owner, review, { outcome: 'CERTIFIED' })).resolves.toMatch(/Review completed: certified/);
      } finally {
        // the other tests in this file use the default rule
        await getDb().setting.delete({ where: { key: 'reviewerRule' } });
      }
      expect((await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).status).toBe('ACTIVE');
    },
  );

  it('CERTIFIED changes nothing but the review and the next due date, which moves by the cadence', async () => {
    const { iam, agent, review, credentialId } = await setup('HIGH');
    await expect(complete(iam, review, { outcome: 'CERTIFIED', revokeCredentials: [credentialId] })).rejects.toThrow(
      Invalid,
    );
    const started = new Date();
    await complete(iam, review, { outcome: 'CERTIFIED' });
    const after = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
    const expected = dueAfter(started, DEFAULT_SETTINGS.reviewCadenceDays.HIGH, 'UTC');
    // same day unless the test crossed midnight
    expect(Math.abs(after.nextReviewDue!.getTime() - expected.getTime())).toBeLessThan(86_400_000);
    expect(after.nextReviewDue!.toISOString()).toMatch(/T23:59:59\.999Z$/);
    const done = await getDb().review.findUniqueOrThrow({ where: { id: review.id } });
    expect(done).toMatchObject({ outcome: 'CERTIFIED', completedById: iam.id, openForAgent: null });
    expect(await getDb().credential.count({ where: { agentId: agent.id, revokedAt: null } })).toBe(2);
    const [event] = await eventsOf(agent.id, 'review.completed');
    expect(event!.details).toMatchObject({
      reviewId: review.id,
      outcome: 'CERTIFIED',
      nextReviewDue: after.nextReviewDue!.toISOString(),
    });
    await expect(complete(iam, review, { outcome: 'CERTIFIED' })).rejects.toThrow(/already completed/);
  });

  it(
    'SCOPE_REDUCED applies exactly the chosen reductions in the same transaction, recorded as part of the ' + 'review',
    async () => {
      const { iam, agent, review, credentialId, spareCredentialId, exceptionId, purposeId } = await setup('HIGH');
      await expect(complete(iam, review, { outcome: 'SCOPE_REDUCED' })).rejects.toThrow(/at least one/);
      // Reviewer iam holds no credential.write or exception.revoke on this agent: the review authorises these
      // reductions
      // only.
      await complete(iam, review, {
        outcome: 'SCOPE_REDUCED',
        revokeCredentials: [credentialId],
        revokeExceptions: [exceptionId],
        expirePurposes: [purposeId],
      });
      expect((await getDb().credential.findUniqueOrThrow({ where: { id: credentialId } })).revokedById).toBe(iam.id);
      expect((await getDb().credential.findUniqueOrThrow({ where: { id: spareCredentialId } })).revokedAt).toBeNull();
      expect((await getDb().exception.findUniqueOrThrow({ where: { id: exceptionId } })).status).toBe('REVOKED');
      expect((await getDb().purpose.findUniqueOrThrow({ where: { id: purposeId } })).status).toBe('EXPIRED');
      for (const action of ['credential.revoked', 'exception.revoked', 'purpose.expired']) {
        const [event] = await eventsOf(agent.id, action);
        expect(event!.details, action).toMatchObject({ reviewId: review.id });
      }
      const [completed] = await eventsOf(agent.id, 'review.completed');
      expect(completed!.details).toMatchObject({
        outcome: 'SCOPE_REDUCED',
        reductions: {
          credentials: [{ id: credentialId, name: 'deploy-key' }],
          exceptions: [{ id: exceptionId, type: 'PERSISTENT_TOKEN' }],
          purposes: [{ id: purposeId }],
        },
      });
      expect((await verifyAuditChain(getDb())).ok).toBe(true);
    },
  );

  it('a reduction that cannot happen refuses the whole completion: nothing is revoked', async () => {
    const { admin, iam, review, credentialId, spareCredentialId } = await setup('HIGH');
    const stranger = await makeActiveAgent(admin, {
      ownerId: admin.id,
      riskTier: 'LOW',
      environments: ['DEV', 'PROD'],
    });
    const { id: foreignCredential } = await issueCredential(admin, {
      agentId: stranger.id,
      name: 'other-key',
      kind: 'API_KEY',
      issuance: 'STATIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'DEV',
    });
    const before = await databaseFingerprint();
    await expect(
      complete(iam, review, { outcome: 'SCOPE_REDUCED', revokeCredentials: [credentialId, foreignCredential] }),
    ).rejects.toThrow(/belongs to another agent/);
    expect(await databaseFingerprint()).toEqual(before);
    await revokeCredential(admin, { credentialId: spareCredentialId, reason: 'Rotated out' });
    const fresh = await getDb().review.findUniqueOrThrow({ where: { id: review.id } });
    const beforeConflict = await databaseFingerprint();
    await expect(
      complete(iam, fresh, { outcome: 'SCOPE_REDUCED', revokeCredentials: [credentialId, spareCredentialId] }),
    ).rejects.toThrow(Conflict);
    expect(await databaseFingerprint()).toEqual(beforeConflict);
    expect((await getDb().credential.findUniqueOrThrow({ where: { id: credentialId } })).revokedAt).toBeNull();
    // A form loaded before the review changed (here: reassigned and back) is refused too.
    await assignReviewer(admin, { reviewId: review.id, version: fresh.version, reviewerId: admin.id });
    await assignReviewer(admin, { reviewId: review.id, version: fresh.version + 1, reviewerId: iam.id });
    await expect(complete(iam, fresh, { outcome: 'CERTIFIED' })).rejects.toThrow(/changed by someone else/);
  });

  it('SUSPENDED suspends the agent; RETIRED follows the lifecycle rules and ends the schedule', async () => {
    const first = await setup('MEDIUM');
    await complete(first.owner, first.review, { outcome: 'SUSPENDED' });
    const suspended = await getDb().agent.findUniqueOrThrow({ where: { id: first.agent.id } });
    expect(suspended.status).toBe('SUSPENDED');
    expect(suspended.nextReviewDue).not.toBeNull();
    expect((await eventsOf(first.agent.id, 'agent.status_changed')).at(-1)!.details).toMatchObject({
      from: 'ACTIVE',
      to: 'SUSPENDED',
    });

    const { owner, agent, review, credentialId, spareCredentialId, exceptionId } = await setup('MEDIUM');
    const before = await databaseFingerprint();
    await expect(complete(owner, review, { outcome: 'RETIRED', revokeCredentials: [credentialId] })).rejects.toThrow(
      /Cannot make it retired: Revoke its 1 unrevoked/,
    );
    expect(await databaseFingerprint()).toEqual(before);
    await complete(owner, review, {
      outcome: 'RETIRED',
      revokeCredentials: [credentialId, spareCredentialId],
      revokeExceptions: [exceptionId],
    });
    const retired = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
    expect(retired).toMatchObject({ status: 'RETIRED', nextReviewDue: null });
  });
});

describe('scheduled reviews', () => {
  it('open ahead of the due date, once; join an open review; stop after completion', async () => {
    const { admin, iam, agent, review } = await setup('HIGH');
    const soon = await makeActiveAgent(admin, { ownerId: iam.id, riskTier: 'LOW' });
    const dueIn5 = new Date(Date.now() + 5 * 86_400_000);
    const dueIn60 = new Date(Date.now() + 60 * 86_400_000);
    await getDb().agent.update({ where: { id: soon.id }, data: { nextReviewDue: dueIn5 } });
    await getDb().agent.update({ where: { id: agent.id }, data: { nextReviewDue: dueIn5 } });
    const far = await makeActiveAgent(admin, { ownerId: iam.id, riskTier: 'LOW' });
    await getDb().agent.update({ where: { id: far.id }, data: { nextReviewDue: dueIn60 } });

    await openScheduledReviews();
    const scheduled = await openReview(soon.id);
    expect(scheduled).toMatchObject({ triggers: ['SCHEDULED'], dueAt: dueIn5, reviewerId: iam.id });
    expect((await openReview(agent.id)).triggers).toEqual(['PURPOSE_CHANGED', 'SCHEDULED']);
    expect(await getDb().review.count({ where: { agentId: far.id } })).toBe(0);

    const before = await databaseFingerprint();
    await openScheduledReviews();
    expect(await databaseFingerprint()).toEqual(before);

    const open = await openReview(soon.id);
    await complete(iam, open, { outcome: 'CERTIFIED' });
    await openScheduledReviews();
    expect(await getDb().review.count({ where: { agentId: soon.id } })).toBe(1);
    expect((await getDb().review.findUniqueOrThrow({ where: { id: review.id } })).completedAt).toBeNull();
  });
});

describeWithPostgresServer('reviews under concurrency', () => {
  it('simultaneous changes to one agent open exactly one review', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner: Person = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'LOW' });
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        addPurpose(owner, { agentId: agent.id, task: `Task ${i}`, scope: 'github', environments: ['DEV'] }),
      ),
    );
    expect(await getDb().review.count({ where: { agentId: agent.id } })).toBe(1);
    expect(await eventsOf(agent.id, 'review.opened')).toHaveLength(1);
  });

  it('two schedulers at once open each scheduled review once', async () => {
    const admin = await createPerson(['ADMIN']);
    const agents = await Promise.all(
      Array.from({ length: 6 }, () => makeActiveAgent(admin, { ownerId: admin.id, riskTier: 'LOW' })),
    );
    await getDb().agent.updateMany({
      where: { id: { in: agents.map((a) => a.id) } },
      data: { nextReviewDue: new Date(Date.now() + 86_400_000) },
    });
    await Promise.all([openScheduledReviews(), openScheduledReviews(), openScheduledReviews()]);
    for (const agent of agents) expect(await getDb().review.count({ where: { agentId: agent.id } })).toBe(1);
  });
});
