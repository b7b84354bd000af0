import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { Forbidden, Invalid } from '@/lib/errors';
import { makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { assignControlOwner, assignOwner, bulkReassign } from './commands';

const v = async (id: string) => (await getDb().agent.findUniqueOrThrow({ where: { id } })).version;

describe('ownership', () => {
  it('assigns control owners; one person holding all three planes is allowed, flagged and audited', async () => {
    const admin = await createPerson(['ADMIN']);
    const jordan = await createPerson(['OWNER']);
    const agent = await makeAgent(admin);
    const first = await assignControlOwner(admin, {
      agentId: agent.id,
      version: await v(agent.id),
      plane: 'IAM',
      userId: jordan.id,
    });
    expect(first.separationOfDutiesWarning).toBe(false);
    await assignControlOwner(admin, { agentId: agent.id, version: await v(agent.id), plane: 'PAM', userId: jordan.id });
    const third = await assignControlOwner(admin, {
      agentId: agent.id,
      version: await v(agent.id),
      plane: 'PLATFORM',
      userId: jordan.id,
    });
    expect(third.separationOfDutiesWarning).toBe(true);
    expect(third.message).toMatch(/all three control planes/);
    const flagged = await getDb().auditEvent.findMany({
      where: { agentId: agent.id, action: 'control.assigned' },
      orderBy: { seq: 'asc' },
    });
    expect(
      flagged.map((e) => (e.details as { separationOfDutiesWarning?: boolean }).separationOfDutiesWarning ?? false),
    ).toEqual([false, false, true]);
    // The snapshot on the last event names jordan on every plane.
    expect(flagged[2]?.owners).toMatchObject({
      IAM: { id: jordan.id },
      PAM: { id: jordan.id },
      PLATFORM: { id: jordan.id },
    });
  });

  it('only a security lead assigns owners; an inactive person cannot be assigned', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const gone = await createPerson(['OWNER'], { active: false });
    const agent = await makeAgent(owner);
    const before = await databaseFingerprint();
    await expect(assignOwner(owner, { agentId: agent.id, version: agent.version, userId: owner.id })).rejects.toThrow(
      Forbidden,
    );
    await expect(assignOwner(admin, { agentId: agent.id, version: agent.version, userId: gone.id })).rejects.toThrow(
      Invalid,
    );
    await expect(
      assignControlOwner(admin, { agentId: agent.id, version: agent.version, plane: 'ROOT', userId: owner.id }),
    ).rejects.toThrow(Invalid);
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('changing the owner of an agent in service opens an OWNER_CHANGED review', async () => {
    const admin = await createPerson(['ADMIN']);
    const a = await createPerson(['OWNER']);
    const b = await createPerson(['OWNER']);
    const agent = await makeAgent(admin, { ownerId: a.id });
    await getDb().agent.update({ where: { id: agent.id }, data: { status: 'ACTIVE' } });
    await assignOwner(admin, { agentId: agent.id, version: await v(agent.id), userId: b.id });
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
    expect(review.triggers).toEqual(['OWNER_CHANGED']);
    const event = await getDb().auditEvent.findFirstOrThrow({
      where: {
        agentId: agent.id,
        action: 'owner.assigned',
        actorId: admin.id,
        details: { path: ['to', 'id'], equals: b.id },
      },
    });
    expect(event.details).toMatchObject({ from: { id: a.id }, to: { id: b.id } });
  });

  it('bulk reassignment moves 1,000 agents in one transaction, one audit event per changed assignment', async () => {
    const admin = await createPerson(['ADMIN']);
    const leaving = await createPerson(['OWNER'], { name: 'Leaving Person' });
    const successor = await createPerson(['OWNER'], { name: 'Successor' });
    const keeper = await createPerson(['OWNER']);
    const ids = Array.from({ length: 1000 }, (_, i) => `bulk_${i}_${leaving.id}`);
    await getDb().agent.createMany({
      data: ids.map((id, i) => ({
        id,
        slug: `bulk-${i}-${leaving.id.slice(-6)}`,
        name: `Bulk ${i}`,
        kind: 'DATA_PIPELINE',
        riskTier: 'LOW',
        status: 'ACTIVE',
        ownerId: i % 2 === 0 ? leaving.id : keeper.id,
      })),
    });
    // Every agent: IAM held by the leaver; every fourth also PAM.
    await getDb().controlAssignment.createMany({
      data: ids.flatMap((agentId, i) => [
        { agentId, plane: 'IAM' as const, userId: leaving.id },
        ...(i % 4 === 0 ? [{ agentId, plane: 'PAM' as const, userId: leaving.id }] : []),
        { agentId, plane: 'PLATFORM' as const, userId: keeper.id },
      ]),
    });
    const headBefore = (await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
    const result = await bulkReassign(admin, {
      fromUserId: leaving.id,
      toUserId: successor.id,
      reason: 'Leaver: moved to successor',
    });
    // Each moved owner opens (or joins) that agent's review, as a single owner change does.
    expect(result).toEqual({
      agentsReassigned: 500,
      planesReassigned: 1250,
      events: 1750,
      reviewsOpened: 500,
      reviewsPassedOn: 0,
    });
    expect(await getDb().agent.count({ where: { ownerId: leaving.id } })).toBe(0);
    expect(await getDb().agent.count({ where: { ownerId: successor.id } })).toBe(500);
    expect(await getDb().controlAssignment.count({ where: { userId: leaving.id } })).toBe(0);
    expect(await getDb().controlAssignment.count({ where: { userId: keeper.id, plane: 'PLATFORM' } })).toBe(1000);
    const events = await getDb().auditEvent.findMany({
      where: { seq: { gt: headBefore }, action: { in: ['owner.assigned', 'control.assigned'] } },
      select: { action: true, details: true },
    });
    expect(events).toHaveLength(1750);
    expect(await getDb().review.count({ where: { agentId: { in: ids }, triggers: { has: 'OWNER_CHANGED' } } })).toBe(
      500,
    );
    expect(events.filter((e) => e.action === 'owner.assigned')).toHaveLength(500);
    expect(
      events.every(
        (e) =>
          (e.details as { bulk?: boolean; reason?: string }).bulk &&
          (e.details as { reason: string }).reason.startsWith('Leaver'),
      ),
    ).toBe(true);
    expect(await getDb().agent.count({ where: { id: { in: ids }, version: 2 } })).toBe(1000);
    expect((await verifyAuditChain(getDb())).ok).toBe(true);
  });

  it('bulk reassignment of a selection moves only those agents; nothing to move is a clear error', async () => {
    const admin = await createPerson(['ADMIN']);
    const leaving = await createPerson(['OWNER']);
    const successor = await createPerson(['OWNER']);
    const a = await makeAgent(admin, { ownerId: leaving.id });
    const b = await makeAgent(admin, { ownerId: leaving.id });
    await expect(
      bulkReassign(admin, {
        fromUserId: leaving.id,
        toUserId: successor.id,
        agentIds: [a.id],
        reason: 'Partial handover',
      }),
    ).resolves.toMatchObject({ agentsReassigned: 1 });
    expect((await getDb().agent.findUniqueOrThrow({ where: { id: b.id } })).ownerId).toBe(leaving.id);
    await expect(
      bulkReassign(admin, { fromUserId: successor.id, toUserId: successor.id, reason: 'Same' }),
    ).rejects.toMatchObject({ fieldErrors: { toUserId: [expect.any(String)] } });
    const idle = await createPerson(['OWNER']);
    await expect(
      bulkReassign(admin, { fromUserId: idle.id, toUserId: successor.id, reason: 'Nothing' }),
    ).rejects.toThrow(/owns and controls no agent/);
  });
});
