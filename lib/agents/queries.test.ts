// The agent's summary is one SQL statement: held here to what Prisma's relation query answers for the same agent.
import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { getAgentSummary } from './queries';

const person = { select: { id: true, name: true, active: true } } as const;

/** The same answer through Prisma's relations (what the statement replaced). */
async function viaPrisma(slug: string) {
  const agent = await getDb().agent.findUniqueOrThrow({
    where: { slug },
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      kind: true,
      workloadIdentity: true,
      environments: true,
      riskTier: true,
      status: true,
      reviewCadenceDays: true,
      nextReviewDue: true,
      version: true,
      createdAt: true,
      updatedAt: true,
      owner: person,
      controlAssignments: { select: { plane: true, assignedAt: true, user: person }, orderBy: { plane: 'asc' } },
      reviews: { where: { completedAt: null }, take: 1, select: { id: true, dueAt: true } },
    },
  });
  const { reviews, ...rest } = agent;
  const plane = (p: string) => agent.controlAssignments.find((a) => a.plane === p) ?? null;
  return {
    ...rest,
    openReview: reviews[0] ?? null,
    planes: { IAM: plane('IAM'), PAM: plane('PAM'), PLATFORM: plane('PLATFORM') },
  };
}

describe('agent summary', () => {
  it('equals Prisma’s answer: owner, planes with their holders, the open review, and an agent with none', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER'], { name: 'Summary “owner”' });
    const pam = await createPerson(['PAM_APPROVER']);
    const whole = await makeActiveAgent(
      admin,
      { ownerId: owner.id, description: 'Ships releases', workloadIdentity: `spiffe://example/${Date.now()}` },
      { PAM: pam.id },
    );
    await getDb().user.update({ where: { id: pam.id }, data: { active: false } });
    await getDb().review.create({
      data: {
        agentId: whole.id,
        openForAgent: whole.id,
        triggers: ['SCHEDULED'],
        dueAt: new Date(Date.UTC(2027, 0, 2)),
      },
    });
    const bare = await makeAgent(admin, { environments: ['DEV', 'PROD'] });

    for (const slug of [whole.slug, bare.slug]) {
      expect(await getAgentSummary(admin, slug)).toEqual(await viaPrisma(slug));
    }
    const summary = (await getAgentSummary(admin, whole.slug))!;
    expect(summary.planes.PAM).toMatchObject({ user: { id: pam.id, active: false } });
    expect(summary.openReview?.dueAt).toEqual(new Date(Date.UTC(2027, 0, 2)));
    expect(summary.controlAssignments.map((c) => c.assignedAt)).toEqual([
      expect.any(Date),
      expect.any(Date),
      expect.any(Date),
    ]);
    expect(await getAgentSummary(admin, 'no-such-agent')).toBeNull();
  });

  it('is refused to a person without a role that reads agents', async () => {
    const nobody = await createPerson([]);
    await expect(getAgentSummary(nobody, 'anything')).rejects.toThrow();
  });
});
