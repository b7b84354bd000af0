import { describe, expect, it } from 'vitest';
import { updateAgent } from '@/lib/agents/commands';
import { getDb } from '@/lib/db';
import { Forbidden } from '@/lib/errors';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { addPurpose, approvePurpose, changePurpose, expirePurpose } from './commands';

const pv = async (id: string) => (await getDb().purpose.findUniqueOrThrow({ where: { id } })).version;

describe('purposes', () => {
  it('add (pending), approve (security lead only), expire, each audited', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(owner);
    const { id } = await addPurpose(owner, {
      agentId: agent.id,
      task: 'Answer tickets',
      scope: 'zendesk,\n slack, zendesk',
      environments: ['PROD', 'PROD'],
    });
    const purpose = await getDb().purpose.findUniqueOrThrow({ where: { id } });
    expect(purpose).toMatchObject({ status: 'PENDING', scope: ['zendesk', 'slack'], environments: ['PROD'] });
    await expect(approvePurpose(owner, { purposeId: id, version: 1 })).rejects.toThrow(Forbidden);
    await approvePurpose(admin, { purposeId: id, version: 1 });
    await expect(approvePurpose(admin, { purposeId: id, version: 2 })).rejects.toThrow(/Only a pending purpose/);
    await expirePurpose(owner, { purposeId: id, version: 2, reason: 'Task ended' });
    const actions = (await getDb().auditEvent.findMany({ where: { agentId: agent.id }, orderBy: { seq: 'asc' } })).map(
      (e) => e.action,
    );
    expect(actions).toEqual([
      'agent.created',
      'owner.assigned',
      'purpose.added',
      'purpose.approved',
      'purpose.expired',
    ]);
    // A proposed agent's purposes open no review.
    expect(await getDb().review.count({ where: { agentId: agent.id } })).toBe(0);
  });

  it(
    'changes to purpose, tools and environments open one review ' + 'whose triggers accumulate without duplicates',
    async () => {
      const admin = await createPerson(['ADMIN']);
      const owner = await createPerson(['OWNER']);
      const agent = await makeAgent(owner);
      await getDb().agent.update({ where: { id: agent.id }, data: { status: 'ACTIVE' } });
      const { id } = await addPurpose(owner, {
        agentId: agent.id,
        task: 'Deploy',
        scope: 'argo',
        environments: ['STAGING'],
      });
      await approvePurpose(admin, { purposeId: id, version: 1 });
      await changePurpose(owner, {
        purposeId: id,
        version: await pv(id),
        task: 'Deploy',
        scope: 'argo, helm',
        environments: ['STAGING'],
      });
      expect((await getDb().purpose.findUniqueOrThrow({ where: { id } })).status).toBe('PENDING');
      await changePurpose(owner, {
        purposeId: id,
        version: await pv(id),
        task: 'Deploy and roll back',
        scope: 'argo, helm, kubectl',
        environments: ['STAGING', 'PROD'],
      });
      await addPurpose(owner, { agentId: agent.id, task: 'Second purpose', scope: 'github', environments: ['DEV'] });
      const current = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
      await updateAgent(owner, {
        id: agent.id,
        version: current.version,
        name: current.name,
        kind: current.kind,
        environments: ['PROD', 'DEV'],
        riskTier: current.riskTier,
      });

      const reviews = await getDb().review.findMany({ where: { agentId: agent.id } });
      expect(reviews).toHaveLength(1);
      expect(reviews[0]?.triggers).toEqual(['PURPOSE_CHANGED', 'TOOLSET_CHANGED', 'ENVIRONMENT_CHANGED']);
      expect(await getDb().auditEvent.count({ where: { agentId: agent.id, action: 'review.opened' } })).toBe(1);
      expect(await getDb().auditEvent.count({ where: { agentId: agent.id, action: 'review.trigger_added' } })).toBe(2);
    },
  );

  it('refuses a purpose with no tools, no environment or a past expiry, field by field', async () => {
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(owner);
    await expect(
      addPurpose(owner, { agentId: agent.id, task: 'x', scope: ' , ', environments: [], expiresAt: '2001-01-01' }),
    ).rejects.toMatchObject({
      fieldErrors: {
        task: [expect.stringMatching(/at least 3/)],
        scope: [expect.stringMatching(/at least one tool/)],
        environments: [expect.stringMatching(/at least one environment/)],
        expiresAt: [expect.stringMatching(/future/)],
      },
    });
  });
});
