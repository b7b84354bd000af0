// The dashboard's figures are the same for everyone and reused between writes: a write shows at once, a change
// outside the domain functions (which appends no event) only when the reuse window ends.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { appendAuditEvents, SYSTEM_ACTOR } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { makeAgent } from '@/lib/testing/agents';
import { asOwner } from '@/lib/testing/owner';
import { appendNotes } from '@/lib/testing/partitions';
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

  it('are reused while only records are appended (decisions, uses), which change nothing they count', async () => {
    const admin = await createPerson(['ADMIN']);
    await makeAgent(admin);
    const figures = await getPostureSummary(admin);
    // A busy gate records decisions hundreds of times a second: the head moves, the registry does not.
    await appendNotes(2);
    await getDb().$transaction((tx) =>
      appendAuditEvents(tx, [
        { action: 'audit.exported', actor: SYSTEM_ACTOR, details: { format: 'csv', filter: {}, count: 0 } },
      ]),
    );
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(head.registrySeq).toBeLessThan(head.seq);
    expect(await getPostureSummary(admin)).toBe(figures);
    // One change among records moves the mark: the batch is not record-only.
    await getDb().$transaction((tx) =>
      appendAuditEvents(tx, [
        { action: 'system.note', actor: SYSTEM_ACTOR, details: { note: 'x' } },
        { action: 'settings.changed', actor: SYSTEM_ACTOR, details: { key: 'k', from: 1, to: 2 } },
      ]),
    );
    const moved = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(moved.registrySeq).toBe(moved.seq);
    expect(await getPostureSummary(admin)).not.toBe(figures);
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
