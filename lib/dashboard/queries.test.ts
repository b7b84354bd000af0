// The dashboard's figures are the same for everyone and reused between writes: a write shows at once, a change
// outside the domain functions (which appends no event) only when the reuse window ends.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { makeAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { getPostureSummary } from './queries';

describe('dashboard figures', () => {
  afterEach(() => vi.useRealTimers());

  it('are reused until a write moves the timeline head, then recomputed', async () => {
    const admin = await createPerson(['ADMIN']);
    const before = await getPostureSummary(admin);
    await makeAgent(admin);
    const after = await getPostureSummary(admin);
    expect(after.agentsByStatus.PROPOSED).toBe(before.agentsByStatus.PROPOSED + 1);
    expect(after.inService).toBe(before.inService + 1);
  });

  it('a change that appends no event shows once the reuse window has passed', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin);
    const before = await getPostureSummary(admin);
    // Past the domain functions, as a database operator might: no event, so the head stays.
    await asOwner(`UPDATE "Agent" SET "riskTier" = 'LOW' WHERE "id" = '${agent.id}'`);
    expect((await getPostureSummary(admin)).agentsByTier).toEqual(before.agentsByTier);
    vi.useFakeTimers({ now: Date.now() + 31_000, toFake: ['Date'] });
    const later = await getPostureSummary(admin);
    expect(later.agentsByTier.LOW).toBe(before.agentsByTier.LOW + 1);
    expect(later.agentsByTier.HIGH).toBe(before.agentsByTier.HIGH - 1);
  });
});
