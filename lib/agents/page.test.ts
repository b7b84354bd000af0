// The agent page's section lists are one statement each (Prisma's relation queries sent one more per relation, even
// for an agent with no rows): each is held here to what Prisma's relation query answers for the same agent.
import { describe, expect, it } from 'vitest';
import { listAgentCredentials } from '@/lib/credentials/queries';
import { getDb } from '@/lib/db';
import { getEscalationContact } from '@/lib/escalation/queries';
import { listEligibleApprovers } from '@/lib/exceptions/approvers';
import { listAgentExceptions } from '@/lib/exceptions/queries';
import { getDryRunChoices } from '@/lib/issuance/queries';
import { addPurpose } from '@/lib/purposes/commands';
import { listAgentPurposes } from '@/lib/purposes/queries';
import { listAgentReviews } from '@/lib/reviews/queries';
import { issueEnvVarKey, issueVaultedProdKey, makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { readLifecycleFacts } from './lifecycle-facts';

const db = () => getDb();
const byAgent = (agentId: string) => ({ where: { agentId } });

async function prismaPurposes(agentId: string) {
  return db().purpose.findMany({
    ...byAgent(agentId),
    orderBy: [{ status: 'asc' }, { createdAt: 'asc' }],
    select: {
      id: true,
      task: true,
      scope: true,
      environments: true,
      status: true,
      expiresAt: true,
      approvedAt: true,
      version: true,
      approvedBy: { select: { name: true } },
    },
  });
}

async function prismaCredentials(agentId: string) {
  const rows = await db().credential.findMany({
    ...byAgent(agentId),
    orderBy: [{ revokedAt: { sort: 'desc', nulls: 'first' } }, { name: 'asc' }],
    omit: {
      agentId: true,
      revokedById: true,
      revokeReason: true,
      usedAfterRevocationAt: true,
      rotationApprovedDays: true,
    },
  });
  return rows.map(({ createdAt: _c, updatedAt: _u, ...c }) => c);
}

async function prismaReviews(agentId: string) {
  return db().review.findMany({
    ...byAgent(agentId),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 20,
    select: {
      id: true,
      triggers: true,
      dueAt: true,
      completedAt: true,
      outcome: true,
      reviewer: { select: { name: true } },
    },
  });
}

async function prismaExceptions(agentId: string) {
  return db().exception.findMany({
    ...byAgent(agentId),
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: 50,
    select: {
      id: true,
      type: true,
      status: true,
      startsAt: true,
      expiresAt: true,
      requestedBy: { select: { name: true } },
    },
  });
}

describe('agent page sections', () => {
  it('equal Prisma’s relation queries, for an agent with rows of every kind and for one with none', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER'], { name: 'Section “owner”' });
    const pam = await createPerson(['PAM_APPROVER'], { name: 'Aaa PAM owner' });
    const otherPam = await createPerson(['PAM_APPROVER'], { name: 'Aab other approver' });
    const whole = await makeActiveAgent(admin, { ownerId: owner.id, environments: ['PROD', 'DEV'] }, { PAM: pam.id });
    // A pending purpose (no approver) beside the approved one, a revoked credential beside one in use.
    await addPurpose(admin, { agentId: whole.id, task: 'Read logs', scope: 'datadog', environments: ['DEV'] });
    await issueVaultedProdKey(admin, whole.id, 'deploy-key');
    const { id: revoked } = await issueEnvVarKey(admin, whole.id, 'old-key');
    await db().credential.update({ where: { id: revoked }, data: { revokedAt: new Date() } });
    await db().review.createMany({
      data: [
        { agentId: whole.id, triggers: ['SCHEDULED'], dueAt: new Date(Date.UTC(2026, 0, 2)), reviewerId: pam.id },
        {
          agentId: whole.id,
          triggers: ['OWNER_CHANGED', 'SCHEDULED'],
          dueAt: new Date(Date.UTC(2026, 5, 2)),
          completedAt: new Date(Date.UTC(2026, 5, 1)),
          outcome: 'CERTIFIED',
        },
      ],
    });
    await db().exception.create({
      data: {
        type: 'BREAK_GLASS',
        agentId: whole.id,
        justification: 'Incident 42',
        requestedById: owner.id,
        startsAt: new Date(Date.UTC(2026, 1, 1)),
        expiresAt: new Date(Date.UTC(2026, 1, 2)),
      },
    });
    const bare = await makeAgent(admin);

    for (const agent of [whole, bare]) {
      expect(await listAgentPurposes(admin, agent.id)).toEqual(await prismaPurposes(agent.id));
      expect((await listAgentCredentials(admin, agent.id)).map(({ coveredBy: _, ...c }) => c)).toEqual(
        await prismaCredentials(agent.id),
      );
      expect(await listAgentReviews(admin, agent.id)).toEqual(await prismaReviews(agent.id));
      expect(await listAgentExceptions(admin, agent.id)).toEqual(await prismaExceptions(agent.id));
      expect(await getEscalationContact(admin, agent.id)).toEqual(
        await db().escalationContact.findUnique({
          where: { agentId: agent.id },
          include: { user: { select: { id: true, name: true, email: true, active: true } } },
        }),
      );
    }
    // What the rows hold, so the comparisons above compare something.
    expect((await listAgentPurposes(admin, whole.id)).map((p) => [p.status, p.approvedBy?.name ?? null])).toEqual([
      ['PENDING', null],
      ['APPROVED', 'Independent lead'],
    ]);
    expect((await listAgentReviews(admin, whole.id)).map((r) => r.reviewer?.name ?? null)).toEqual(
      expect.arrayContaining(['Aaa PAM owner', null]),
    );
    expect((await listAgentCredentials(admin, whole.id)).map((c) => [c.name, c.kind, c.revokedAt === null])).toEqual([
      ['deploy-key', 'API_KEY', true],
      ['old-key', 'API_KEY', false],
    ]);
    expect(await listAgentExceptions(admin, whole.id)).toMatchObject([
      { type: 'BREAK_GLASS', status: 'PENDING', requestedBy: { name: 'Section “owner”' } },
    ]);

    // The escalation contact naming a person.
    await db().escalationContact.update({ where: { agentId: whole.id }, data: { userId: pam.id } });
    expect(await getEscalationContact(admin, whole.id)).toMatchObject({
      name: 'Platform on-call',
      user: { id: pam.id, name: 'Aaa PAM owner', active: true },
    });

    // Approvers: the PAM owner first, the requester never.
    const approvers = await listEligibleApprovers(owner, whole.id);
    expect(approvers[0]).toEqual({ id: pam.id, name: 'Aaa PAM owner', isPamOwner: true });
    expect(approvers.find((a) => a.id === otherPam.id)).toEqual({
      id: otherPam.id,
      name: 'Aab other approver',
      isPamOwner: false,
    });
    expect(approvers.filter((a) => a.isPamOwner)).toHaveLength(1);
    expect((await listEligibleApprovers(pam, whole.id)).some((a) => a.id === pam.id)).toBe(false);

    // The lifecycle rules' inputs, read in one statement.
    expect(await readLifecycleFacts(db(), whole.id)).toEqual({
      status: 'ACTIVE',
      riskTier: 'HIGH',
      ownerActive: true,
      planesAssigned: ['IAM', 'PAM', 'PLATFORM'],
      approvedPurposes: 1,
      unrevokedCredentials: 1,
      activeExceptions: 1,
      hasEscalation: true,
    });
    await db().user.update({ where: { id: owner.id }, data: { active: false } });
    await db().escalationContact.update({ where: { agentId: whole.id }, data: { email: null } });
    await db().user.update({ where: { id: pam.id }, data: { active: false } });
    expect(await readLifecycleFacts(db(), whole.id)).toMatchObject({ ownerActive: false, hasEscalation: false });
    await db().user.update({ where: { id: pam.id }, data: { active: true } });
    expect(await readLifecycleFacts(db(), bare.id)).toEqual({
      status: 'PROPOSED',
      riskTier: 'HIGH',
      ownerActive: null,
      planesAssigned: [],
      approvedPurposes: 0,
      unrevokedCredentials: 0,
      activeExceptions: 0,
      hasEscalation: false,
    });
    await expect(readLifecycleFacts(db(), 'no-such-agent')).rejects.toThrow('No such agent.');

    // The dry run offers the credentials in use and the approved purposes' tasks and scope.
    expect(await getDryRunChoices(admin, whole.id)).toEqual({
      credentials: [{ id: expect.any(String), name: 'deploy-key', environment: 'PROD', issuance: 'STATIC' }],
      tasks: ['Ship releases', 'github'],
    });
  });

  it('are refused to a person without a role that reads agents', async () => {
    const nobody = await createPerson([]);
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin);
    for (const read of [
      listAgentPurposes,
      listAgentCredentials,
      listAgentReviews,
      listAgentExceptions,
      getEscalationContact,
      listEligibleApprovers,
      getDryRunChoices,
    ]) {
      await expect(read(nobody, agent.id)).rejects.toThrow();
    }
  });
});
