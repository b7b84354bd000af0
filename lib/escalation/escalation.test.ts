// The escalation contact: who is paged for an agent. HIGH and CRITICAL agents go into service only with one, and
// keep it while in service; each control is attacked by the owner it governs.
import { describe, expect, it } from 'vitest';
import { changeAgentStatus, updateAgent } from '@/lib/agents/commands';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden, Invalid } from '@/lib/errors';
import { evaluateRule } from '@/lib/policy/evaluate';
import { ruleById } from '@/lib/policy/rules';
import { completeReview } from '@/lib/reviews/commands';
import { makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { clearEscalationContact, setEscalationContact } from './commands';

const contact = { name: 'Payments on-call', email: 'payments-oncall@example.com', coverage: '24/7' };
const agentRow = (id: string) => getDb().agent.findUniqueOrThrow({ where: { id } });
const versionOf = async (id: string) => (await agentRow(id)).version;

describe('escalation contact', () => {
  it('the owner sets and changes it, each change on the timeline; another owner cannot', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(admin, { ownerId: owner.id });
    const first = await versionOf(agent.id);
    await expect(setEscalationContact(owner, { agentId: agent.id, version: first, ...contact })).resolves.toMatch(
      /saved: Payments on-call/,
    );
    await setEscalationContact(owner, {
      agentId: agent.id,
      version: first + 1,
      ...contact,
      pagerUrl: 'https://pager.example.com/services/payments',
    });
    const events = await getDb().auditEvent.findMany({
      where: { agentId: agent.id, action: 'escalation.changed' },
      orderBy: { seq: 'asc' },
    });
    expect(events.map((e) => e.details)).toEqual([
      { from: null, to: { ...contact, userId: null, phone: null, pagerUrl: null } },
      {
        from: { ...contact, userId: null, phone: null, pagerUrl: null },
        to: { ...contact, userId: null, phone: null, pagerUrl: 'https://pager.example.com/services/payments' },
      },
    ]);
    await expect(
      setEscalationContact(await createPerson(['OWNER']), { agentId: agent.id, version: first + 2, ...contact }),
    ).rejects.toBeInstanceOf(Forbidden);
    // A stale form is a conflict, not an overwrite, even after the contact was removed and set again by someone else.
    await clearEscalationContact(owner, { agentId: agent.id, version: first + 2 });
    await setEscalationContact(owner, { agentId: agent.id, version: first + 3, ...contact, name: 'Someone else' });
    await expect(
      setEscalationContact(owner, { agentId: agent.id, version: first + 1, ...contact }),
    ).rejects.toBeInstanceOf(Conflict);
    await expect(clearEscalationContact(owner, { agentId: agent.id, version: first + 1 })).rejects.toBeInstanceOf(
      Conflict,
    );
    expect((await getDb().escalationContact.findUniqueOrThrow({ where: { agentId: agent.id } })).name).toBe(
      'Someone else',
    );
  });

  it('bad input is refused field by field, changing nothing; a key in a pager URL is refused as a secret', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin, { ownerId: admin.id });
    const set = async (input: Record<string, unknown>) =>
      setEscalationContact(admin, { agentId: agent.id, version: await versionOf(agent.id), ...contact, ...input });
    await expect(set({ email: '', phone: '', pagerUrl: '' })).rejects.toMatchObject({
      fieldErrors: { email: [expect.stringMatching(/at least one way to reach them/)] },
    });
    await expect(set({ email: 'not-an-address' })).rejects.toMatchObject({ fieldErrors: { email: expect.any(Array) } });
    await expect(set({ pagerUrl: 'http://pager.example.com/x' })).rejects.toMatchObject({
      fieldErrors: { pagerUrl: [expect.stringMatching(/https/)] },
    });
    await expect(set({ phone: 'call me' })).rejects.toMatchObject({ fieldErrors: { phone: expect.any(Array) } });
    await expect(set({ name: '' })).rejects.toBeInstanceOf(Invalid);
    await expect(set({ coverage: '' })).rejects.toBeInstanceOf(Invalid);
    const gone = await createPerson(['OWNER'], { active: false });
    await expect(set({ userId: gone.id })).rejects.toThrow(/not an active member/);
    await expect(
      set({ pagerUrl: `https://events.example.com/integration/ghp_${'Zx8kQ2mN5vR7tY1wL3pH9sD4fG6jK0aBcE2u'}` }),
    ).rejects.toBeInstanceOf(Invalid);
    // An ingest endpoint carries its key: PagerDuty's integration key, a VictorOps routing key, a query string.
    for (const pagerUrl of [
      'https://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue',
      'https://alert.victorops.com/integrations/generic/20131114/alert/3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f/ops',
      'https://pager.example.com/hook?token=abc',
    ]) {
      await expect(set({ pagerUrl })).rejects.toMatchObject({
        fieldErrors: { pagerUrl: [expect.stringMatching(/looks like a key/)] },
      });
    }
    expect(await getDb().escalationContact.count({ where: { agentId: agent.id } })).toBe(0);
  });
});

describe('HIGH and CRITICAL agents are in service only with someone to page', () => {
  it('activation is refused without one, and allowed once it is set', async () => {
    const admin = await createPerson(['ADMIN']);
    const active = await makeActiveAgent(admin, { ownerId: admin.id, riskTier: 'CRITICAL' });
    // Suspended, the contact removed, then back: refused until there is one again.
    await changeAgentStatus(admin, { id: active.id, version: active.version, to: 'SUSPENDED', reason: 'Pause' });
    // Suspended, it still holds its credentials: the contact stays.
    await expect(
      clearEscalationContact(admin, { agentId: active.id, version: await versionOf(active.id) }),
    ).rejects.toThrow(/keeps an escalation contact/);
    await getDb().agent.update({ where: { id: active.id }, data: { status: 'PROPOSED' } });
    await clearEscalationContact(admin, { agentId: active.id, version: await versionOf(active.id) });
    await getDb().agent.update({ where: { id: active.id }, data: { status: 'SUSPENDED' } });
    const lead = await createPerson(['ADMIN']);
    await expect(
      changeAgentStatus(lead, {
        id: active.id,
        version: (await agentRow(active.id)).version,
        to: 'ACTIVE',
        reason: 'Back',
      }),
    ).rejects.toThrow(/needs an escalation contact/);
    await setEscalationContact(admin, { agentId: active.id, version: await versionOf(active.id), ...contact });
    await changeAgentStatus(lead, {
      id: active.id,
      version: (await agentRow(active.id)).version,
      to: 'ACTIVE',
      reason: 'Back',
    });
    expect((await agentRow(active.id)).status).toBe('ACTIVE');
  });

  it('the owner cannot remove it while the agent is active; a MEDIUM agent needs none', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'HIGH' });
    await expect(
      clearEscalationContact(owner, { agentId: agent.id, version: await versionOf(agent.id) }),
    ).rejects.toThrow(/keeps an escalation contact/);
    expect(await getDb().escalationContact.count({ where: { agentId: agent.id } })).toBe(1);
    const medium = await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'MEDIUM' });
    expect(await getDb().escalationContact.count({ where: { agentId: medium.id } })).toBe(0);
    expect(medium.status).toBe('ACTIVE');
  });

  it('an active agent raised to HIGH without one is a finding until someone is named', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'MEDIUM' });
    const row = await agentRow(agent.id);
    // Raising the tier tightens: it applies at once, says what it now needs, and the missing contact shows.
    await expect(
      updateAgent(owner, {
        id: agent.id,
        version: row.version,
        name: row.name,
        kind: row.kind,
        environments: row.environments,
        riskTier: 'HIGH',
      }),
    ).resolves.toMatch(/needs an escalation contact/);
    const flagged = async () =>
      (await evaluateRule(getDb(), ruleById('escalation-missing')!)).filter((f) => f.agentId === agent.id);
    expect(await flagged()).toEqual([
      expect.objectContaining({ detail: expect.stringMatching(/High risk, active, nobody to page/) }),
    ]);
    await setEscalationContact(owner, { agentId: agent.id, version: await versionOf(agent.id), ...contact });
    expect(await flagged()).toEqual([]);
  });

  it('a contact who is only a person reaches nobody once they leave: a finding, no way back into service', async () => {
    const admin = await createPerson(['ADMIN']);
    const pager = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(admin, { ownerId: admin.id, riskTier: 'CRITICAL' });
    await setEscalationContact(admin, {
      agentId: agent.id,
      version: await versionOf(agent.id),
      name: 'Pat the pager',
      userId: pager.id,
      email: '',
      coverage: '24/7',
    });
    const flagged = async () =>
      (await evaluateRule(getDb(), ruleById('escalation-missing')!)).filter((f) => f.agentId === agent.id);
    expect(await flagged()).toEqual([]);
    await getDb().user.update({ where: { id: pager.id }, data: { active: false } });
    expect(await flagged()).toHaveLength(1);
    await changeAgentStatus(admin, {
      id: agent.id,
      version: await versionOf(agent.id),
      to: 'SUSPENDED',
      reason: 'Nobody to page',
    });
    await expect(
      changeAgentStatus(await createPerson(['ADMIN']), {
        id: agent.id,
        version: await versionOf(agent.id),
        to: 'ACTIVE',
        reason: 'Back',
      }),
    ).rejects.toThrow(/needs an escalation contact/);
  });
});

describe('another path back into service', () => {
  it('a certified review does not lift a suspended CRITICAL agent whose only contact left', async () => {
    const admin = await createPerson(['ADMIN']);
    const pager = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(admin, { ownerId: admin.id, riskTier: 'CRITICAL' });
    await setEscalationContact(admin, {
      agentId: agent.id,
      version: await versionOf(agent.id),
      name: 'Pat the pager',
      userId: pager.id,
      email: '',
      coverage: '24/7',
    });
    await changeAgentStatus(admin, {
      id: agent.id,
      version: await versionOf(agent.id),
      to: 'SUSPENDED',
      reason: 'Incident',
    });
    await getDb().user.update({ where: { id: pager.id }, data: { active: false } });
    // A lead independent of the agent, whose certification would lift a lead's suspension.
    const reviewer = await createPerson(['ADMIN']);
    const review = await getDb().review.create({
      data: {
        agentId: agent.id,
        openForAgent: agent.id,
        triggers: ['SCHEDULED'],
        dueAt: new Date(Date.now() + 86_400_000),
        reviewerId: reviewer.id,
      },
    });
    await expect(
      completeReview(reviewer, {
        reviewId: review.id,
        version: review.version,
        outcome: 'CERTIFIED',
        notes: 'Looked fine to me',
      }),
    ).rejects.toThrow(/needs an escalation contact/);
    expect((await agentRow(agent.id)).status).toBe('SUSPENDED');
  });
});
