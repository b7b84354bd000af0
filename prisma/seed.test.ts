import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@/lib/audit';
import { registryDrift } from '@/lib/audit/drift';
import { getDb } from '@/lib/db';
import { seedDemoData } from './seed';

describe('demo seed', () => {
  it('seeds every state the console shows, through the audit core, and only once', async () => {
    const db = getDb();
    const first = await seedDemoData(db, new Date('2026-11-22T12:00:00Z'));
    expect(first).toMatchObject({ people: 12, agents: 40 });
    expect(first.events).toBeGreaterThan(300);
    const exceptionStates = await db.exception.groupBy({ by: ['status'], _count: { _all: true } });
    expect(exceptionStates.map((s) => s.status).sort()).toEqual([
      'APPROVED',
      'EXPIRED',
      'PENDING',
      'REJECTED',
      'REVOKED',
      'WITHDRAWN',
    ]);

    expect(await seedDemoData(db)).toEqual({ people: 0, agents: 0, events: 0 });
    // Every role, token and setting is one an event made: the registry check finds nothing on a fresh demo.
    expect(await registryDrift(db)).toEqual([]);
    expect(await db.agent.count()).toBe(40);

    const statuses = await db.agent.groupBy({ by: ['status'], _count: { _all: true } });
    expect(statuses.map((s) => s.status).sort()).toEqual(['ACTIVE', 'PROPOSED', 'RETIRED', 'SUSPENDED']);
    for (const role of ['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'] as const) {
      expect(await db.user.count({ where: { roles: { has: role }, active: true } })).toBeGreaterThan(0);
    }
    expect(await db.user.count({ where: { active: false } })).toBeGreaterThan(0);
    expect(await db.agent.count({ where: { ownerId: null } })).toBeGreaterThan(0);
    expect(await db.agent.count({ where: { owner: { active: false } } })).toBeGreaterThan(0);
    const gpu = await db.controlAssignment.findMany({ where: { agent: { slug: 'gpu-scheduler' } } });
    expect(new Set(gpu.map((a) => a.userId)).size).toBe(1);
    expect(gpu).toHaveLength(3);
    const storages = await db.credential.groupBy({ by: ['storage'], _count: { _all: true } });
    expect(storages).toHaveLength(6);
    expect(await db.credential.count({ where: { issuance: 'DYNAMIC' } })).toBeGreaterThan(0);
    // Custody metadata only: a reference never looks like a value.
    const refs = await db.credential.findMany({ where: { secretRef: { not: null } }, select: { secretRef: true } });
    for (const { secretRef } of refs) expect(secretRef).toMatch(/^(vault:kv\/|ci:)/);

    // Reviews done (each outcome the seed uses), overdue, triggered, and one running campaign with progress.
    expect(
      (await db.review.groupBy({ by: ['outcome'], where: { completedAt: { not: null } }, _count: { _all: true } }))
        .map((r) => r.outcome)
        .sort(),
    ).toEqual(['CERTIFIED', 'SCOPE_REDUCED']);
    expect(await db.review.count({ where: { completedAt: null, dueAt: { lt: new Date() } } })).toBeGreaterThan(0);
    for (const trigger of ['SCHEDULED', 'TOOLSET_CHANGED', 'OWNER_DEPARTED', 'POST_INCIDENT', 'CAMPAIGN'] as const) {
      expect(
        await db.review.count({ where: { completedAt: null, triggers: { has: trigger } } }),
        trigger,
      ).toBeGreaterThan(0);
    }
    const [campaign] = await db.reviewCampaign.findMany({ where: { status: 'OPEN' } });
    expect(await db.review.count({ where: { campaignId: campaign!.id, completedAt: { not: null } } })).toBeGreaterThan(
      0,
    );
    expect(await db.review.count({ where: { campaignId: campaign!.id, completedAt: null } })).toBeGreaterThan(0);

    const chain = await verifyAuditChain(db);
    expect(chain).toMatchObject({ ok: true });
    expect(chain.ok && chain.eventCount).toBeGreaterThan(first.events);
    const seqs = await db.auditEvent.findMany({ orderBy: { seq: 'asc' }, select: { occurredAt: true } });
    for (let i = 1; i < seqs.length; i++) {
      expect(seqs[i]!.occurredAt.getTime()).toBeGreaterThanOrEqual(seqs[i - 1]!.occurredAt.getTime());
    }
  });
});
