import { describe, expect, it, vi } from 'vitest';
import { GET as exportCampaign } from '@/app/(console)/reviews/campaigns/[id]/export/route';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden } from '@/lib/errors';
import { addPurpose } from '@/lib/purposes/commands';
import { makeActiveAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { campaignProgress, closeCampaign, startCampaign } from './campaigns';
import { completeReview } from './commands';

const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('@/lib/auth/session-id', () => ({ getSessionUserId: async () => session.userId }));

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
const notes = 'Access still matches the purpose';

describe('certification campaigns', () => {
  it('reviews every agent the filter matches, shows progress per reviewer, and closes with a summary', async () => {
    const admin = await createPerson(['ADMIN']);
    const alice = await createPerson(['OWNER'], { name: 'Alice' });
    const bob = await createPerson(['OWNER'], { name: 'Bob' });
    const [a1, a2, b1] = [
      await makeActiveAgent(admin, { ownerId: alice.id, riskTier: 'LOW', kind: 'SUPPORT_AGENT' }),
      await makeActiveAgent(admin, { ownerId: alice.id, riskTier: 'MEDIUM', kind: 'SUPPORT_AGENT' }),
      await makeActiveAgent(admin, { ownerId: bob.id, riskTier: 'MEDIUM', kind: 'SUPPORT_AGENT' }),
    ];
    const outOfScope = await makeActiveAgent(admin, { ownerId: bob.id, riskTier: 'HIGH', kind: 'SUPPORT_AGENT' });
    const otherKind = await makeActiveAgent(admin, { ownerId: bob.id, riskTier: 'LOW', kind: 'CI_AGENT' });
    // a2 already has an open review (a purpose change): it joins the campaign instead of getting a second one.
    await addPurpose(alice, { agentId: a2!.id, task: 'Answer refunds', scope: 'zendesk', environments: ['PROD'] });
    const filter = {
      riskTiers: ['LOW', 'MEDIUM'],
      statuses: ['ACTIVE'],
      kinds: ['SUPPORT_AGENT'],
      environments: ['PROD'],
    };

    await expect(startCampaign(alice, { name: 'Q4 support', deadline: inDays(14), ...filter })).rejects.toThrow(
      Forbidden,
    );
    const before = await databaseFingerprint();
    await expect(
      startCampaign(admin, { name: 'Nothing', deadline: inDays(14), ...filter, kinds: ['RESEARCH_AGENT'] }),
    ).rejects.toThrow(/No agent matches/);
    await expect(startCampaign(admin, { name: 'Late', deadline: inDays(-1), ...filter })).rejects.toMatchObject({
      fieldErrors: { deadline: ['Choose a date after today.'] },
    });
    await expect(startCampaign(admin, { name: 'Q4 support', deadline: 'next week', ...filter })).rejects.toMatchObject({
      fieldErrors: { deadline: ['Give the deadline as a date that exists (YYYY-MM-DD).'] },
    });
    // A day that does not exist is refused, not rolled over (2027-02-31 would become 3 March).
    for (const deadline of ['2027-02-31', '2027-13-01', '2027-02-29']) {
      await expect(startCampaign(admin, { name: 'Odd day', deadline, ...filter })).rejects.toMatchObject({
        fieldErrors: { deadline: ['Give the deadline as a date that exists (YYYY-MM-DD).'] },
      });
    }
    expect(await databaseFingerprint()).toEqual(before);

    const started = await startCampaign(admin, { name: 'Q4 support', deadline: inDays(14), ...filter });
    expect(started).toMatchObject({ opened: 2, joined: 1, inOtherCampaign: 0 });
    const reviews = await getDb().review.findMany({ where: { campaignId: started.id } });
    expect(reviews.map((r) => r.agentId).sort()).toEqual([a1!.id, a2!.id, b1!.id].sort());
    expect(reviews.find((r) => r.agentId === a2!.id)!.triggers).toEqual(['PURPOSE_CHANGED', 'CAMPAIGN']);
    expect(
      await getDb().review.count({ where: { agentId: { in: [outOfScope.id, otherKind.id] }, campaignId: started.id } }),
    ).toBe(0);

    let progress = await campaignProgress(getDb(), started.id);
    expect(progress).toMatchObject({ total: 3, done: 0, open: 3, overdue: 0 });
    expect(progress.byReviewer.map((r) => [r.reviewerName, r.open])).toEqual([
      ['Alice', 2],
      ['Bob', 1],
    ]);

    // A second open campaign over the same agents leaves their reviews where they are.
    const overlapping = await startCampaign(admin, { name: 'Overlap', deadline: inDays(20), ...filter });
    expect(overlapping).toMatchObject({ opened: 0, joined: 0, inOtherCampaign: 3 });

    for (const [agent, reviewer] of [
      [a1!, alice],
      [b1!, bob],
    ] as const) {
      const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
      await completeReview(reviewer, { reviewId: review.id, version: review.version, outcome: 'CERTIFIED', notes });
    }
    progress = await campaignProgress(getDb(), started.id);
    expect(progress).toMatchObject({ total: 3, done: 2, open: 1, overdue: 0, byOutcome: { CERTIFIED: 2 } });
    expect(progress.byReviewer.map((r) => [r.reviewerName, r.done, r.open])).toEqual([
      ['Alice', 1, 1],
      ['Bob', 1, 0],
    ]);
    // After the deadline the open one counts as overdue.
    const afterDeadline = await campaignProgress(getDb(), started.id, new Date(Date.now() + 30 * 86_400_000));
    expect(afterDeadline).toMatchObject({ open: 1, overdue: 1 });

    const campaign = await getDb().reviewCampaign.findUniqueOrThrow({ where: { id: started.id } });
    await expect(closeCampaign(alice, { campaignId: campaign.id, version: campaign.version })).rejects.toThrow(
      Forbidden,
    );
    await expect(closeCampaign(admin, { campaignId: campaign.id, version: campaign.version })).resolves.toBe(
      'Closed: 2 of 3 reviews done; 1 stays open.',
    );
    const closed = await getDb().reviewCampaign.findUniqueOrThrow({ where: { id: started.id } });
    expect(closed.status).toBe('CLOSED');
    expect(closed.summary).toMatchObject({ total: 3, done: 2, open: 1, byOutcome: { CERTIFIED: 2 } });
    await expect(closeCampaign(admin, { campaignId: campaign.id, version: closed.version })).rejects.toThrow(Conflict);
    const events = await getDb().auditEvent.findMany({
      where: { action: { in: ['campaign.started', 'campaign.closed'] } },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => e.action)).toEqual(['campaign.started', 'campaign.started', 'campaign.closed']);

    // An auditor exports the reviews and the per-reviewer summary; each export is audited.
    const auditor = await createPerson(['AUDITOR']);
    session.userId = auditor.id;
    const params = Promise.resolve({ id: started.id });
    const csv = await (
      await exportCampaign(new Request(`http://localhost/reviews/campaigns/${started.id}/export`), { params })
    ).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe(
      'campaign,deadline,agent_slug,agent_name,risk_tier,owner,reviewer,triggers,' +
        'due_at,completed_at,outcome,completed_by,notes',
    );
    expect(lines).toHaveLength(4);
    expect(lines.filter((l) => l.includes(',Certified,'))).toHaveLength(2);
    const summary = await (
      await exportCampaign(new Request(`http://localhost/reviews/campaigns/${started.id}/export?part=summary`), {
        params,
      })
    ).text();
    expect(summary.trim().split('\r\n').slice(1)).toEqual([
      expect.stringMatching(/^Q4 support,Closed,.*,Alice,1,1,0$/),
      expect.stringMatching(/^Q4 support,Closed,.*,Bob,1,0,0$/),
      expect.stringMatching(/^Q4 support,Closed,.*,TOTAL,2,1,0$/),
    ]);
    expect(await getDb().auditEvent.count({ where: { action: 'audit.exported', actorId: auditor.id } })).toBe(2);
  });
});
