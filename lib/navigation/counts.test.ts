// The navigation's counts are computed once per registry change and shared: a write shows at once, and what a
// reader may not see stays out of their counts whoever computed them.
import { describe, expect, it } from 'vitest';
import { loadActor } from '@/lib/auth';
import { getDb } from '@/lib/db';
import { requestException } from '@/lib/exceptions/commands';
import { makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { removeRole } from '@/lib/users/commands';
import { getNavCounts } from './counts';

describe('navigation counts', () => {
  it('are shared between readers, show a write at once, and hold back what a reader may not see', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(admin, { ownerId: owner.id, riskTier: 'HIGH' });
    const before = await getNavCounts(admin);
    expect(before).toEqual({
      pendingExceptions: expect.any(Number),
      overdueReviews: expect.any(Number),
      openFindings: expect.any(Number),
      pendingChanges: expect.any(Number),
    });
    // The administrator computed them: the owner reads the same figures, without the changes waiting for a second
    // person, which an OWNER may not see.
    expect(await getNavCounts(owner)).toEqual({
      pendingExceptions: before.pendingExceptions,
      overdueReviews: before.overdueReviews,
      openFindings: before.openFindings,
    });
    await requestException(owner, {
      agentId: agent.id,
      type: 'CACHED_SECRET',
      justification: 'Offline batch',
      durationHours: 24,
    });
    expect((await getNavCounts(admin)).pendingExceptions).toBe(before.pendingExceptions! + 1);
    expect((await getNavCounts(owner)).pendingExceptions).toBe(before.pendingExceptions! + 1);
  });

  it('a person who loses the role that sees pending changes stops seeing their count at once', async () => {
    const lead = await createPerson(['ADMIN']);
    const demoted = await createPerson(['ADMIN', 'OWNER']);
    expect(await getNavCounts((await loadActor(demoted.id))!)).toHaveProperty('pendingChanges');
    const { version } = await getDb().user.findUniqueOrThrow({ where: { id: demoted.id } });
    await removeRole(lead, { userId: demoted.id, role: 'ADMIN', version });
    // The lead reads first: the shared answer they computed is the one the demoted person reads next.
    expect(await getNavCounts(lead)).toHaveProperty('pendingChanges');
    expect(await getNavCounts((await loadActor(demoted.id))!)).not.toHaveProperty('pendingChanges');
  });
});
