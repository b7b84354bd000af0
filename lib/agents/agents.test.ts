import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden, Invalid } from '@/lib/errors';
import { setEscalationContact } from '@/lib/escalation/commands';
import { assignControlOwner } from '@/lib/ownership/commands';
import { addPurpose, approvePurpose } from '@/lib/purposes/commands';
import { dueAfter } from '@/lib/reviews/cadence';
import { editAgentForm, makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { changeAgentStatus, registerAgent, updateAgent } from './commands';
import { transitionProblems } from './lifecycle';

const agentVersion = async (id: string) => (await getDb().agent.findUniqueOrThrow({ where: { id } })).version;

describe('registering and editing agents', () => {
  it('registers a PROPOSED agent with its review date from the tier cadence, audited', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const before = new Date();
    const agent = await makeAgent(admin, {
      ownerId: owner.id,
      riskTier: 'CRITICAL',
      workloadIdentity: 'spiffe://example.com/a/1',
    });
    expect(agent).toMatchObject({ status: 'PROPOSED', ownerId: owner.id, riskTier: 'CRITICAL', version: 1 });
    // Due at the end of the day 30 calendar days on (UTC by default).
    expect(agent.nextReviewDue!.toISOString()).toBe(dueAfter(before, 30, 'UTC').toISOString());
    const events = await getDb().auditEvent.findMany({ where: { agentId: agent.id }, orderBy: { seq: 'asc' } });
    expect(events.map((e) => e.action)).toEqual(['agent.created', 'owner.assigned']);
    expect(events[0]).toMatchObject({ actorId: admin.id });
  });

  it('an agent owner registers agents owned by themselves, whatever the form says', async () => {
    const owner = await createPerson(['OWNER']);
    const other = await createPerson(['OWNER']);
    const agent = await makeAgent(owner, { ownerId: other.id });
    expect(agent.ownerId).toBe(owner.id);
  });

  it('refuses bad input field by field, a taken slug or workload identity, and changes nothing', async () => {
    const admin = await createPerson(['ADMIN']);
    const taken = await makeAgent(admin, { workloadIdentity: 'spiffe://example.com/taken' });
    const before = await databaseFingerprint();
    const attempt = (input: Record<string, unknown>) =>
      registerAgent(admin, {
        slug: 'fresh-slug',
        name: 'Fresh',
        kind: 'CI_AGENT',
        environments: ['DEV'],
        riskTier: 'LOW',
        ...input,
      });
    await expect(attempt({ slug: 'Not A Slug' })).rejects.toMatchObject({
      fieldErrors: { slug: [expect.stringMatching(/lower-case/)] },
    });
    await expect(attempt({ environments: [] })).rejects.toMatchObject({
      fieldErrors: { environments: [expect.stringMatching(/at least one/)] },
    });
    await expect(attempt({ environments: ['MARS'] })).rejects.toThrow(Invalid);
    await expect(attempt({ kind: 'ROBOT' })).rejects.toThrow(Invalid);
    await expect(attempt({ workloadIdentity: 'not a uri' })).rejects.toMatchObject({
      fieldErrors: { workloadIdentity: [expect.any(String)] },
    });
    await expect(attempt({ slug: taken.slug })).rejects.toMatchObject({
      fieldErrors: { slug: ['Another agent already uses this slug.'] },
    });
    await expect(attempt({ workloadIdentity: 'spiffe://example.com/taken' })).rejects.toMatchObject({
      fieldErrors: { workloadIdentity: ['Another agent already has this workload identity.'] },
    });
    expect(await databaseFingerprint()).toEqual(before);
  });

  it('two agents may both have no workload identity', async () => {
    const admin = await createPerson(['ADMIN']);
    await makeAgent(admin);
    await expect(makeAgent(admin)).resolves.toMatchObject({ workloadIdentity: null });
  });

  it('an owner edits only the agents they own; a stale form is a conflict', async () => {
    const owner = await createPerson(['OWNER']);
    const stranger = await createPerson(['OWNER']);
    const agent = await makeAgent(owner);
    const edit = {
      id: agent.id,
      version: agent.version,
      name: 'Renamed',
      kind: 'CI_AGENT',
      environments: ['PROD'],
      riskTier: 'HIGH',
    };
    await expect(updateAgent(stranger, edit)).rejects.toThrow(Forbidden);
    await expect(updateAgent(owner, edit)).resolves.toBe('Saved.');
    await expect(updateAgent(owner, { ...edit, name: 'Again' })).rejects.toThrow(Conflict);
    const updated = await getDb().auditEvent.findFirstOrThrow({
      where: { agentId: agent.id, action: 'agent.updated' },
    });
    // A rename leaves the next review as it was, and says so (never a date copied from the row).
    expect(updated.details).toEqual({ changes: { name: { from: agent.name, to: 'Renamed' } }, nextReviewKept: true });
  });
});

describe('the next review, as an owner edits', () => {
  it('a tighter cadence or tier brings an overdue review no later: the owner cannot clear it by editing', async () => {
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(owner);
    const overdue = new Date(Date.now() - 3 * 86_400_000);
    await asOwner(`UPDATE "Agent" SET "nextReviewDue" = '${overdue.toISOString()}' WHERE "id" = '${agent.id}'`);
    const edit = (fields: Record<string, unknown>) => editAgentForm(owner, agent.id, fields);
    const due = async () => (await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).nextReviewDue;
    // A cadence a day shorter than its tier's, then a higher tier: each a tightening the owner applies at once.
    await expect(edit({ reviewCadenceDays: 89 })).resolves.toBe('Saved.');
    expect(await due()).toEqual(overdue);
    await edit({ riskTier: 'CRITICAL' });
    expect(await due()).toEqual(overdue);
    // Due later than the new cadence allows, it is brought forward.
    const later = await makeAgent(owner);
    const before = (await getDb().agent.findUniqueOrThrow({ where: { id: later.id } })).nextReviewDue!;
    await editAgentForm(owner, later.id, { riskTier: 'CRITICAL' });
    const after = (await getDb().agent.findUniqueOrThrow({ where: { id: later.id } })).nextReviewDue!;
    expect(after < before).toBe(true);
  });
});

describe('lifecycle', () => {
  it('names every rule a PROPOSED → ACTIVE move breaks, then allows it once they hold', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin);
    const activate = async () =>
      changeAgentStatus(admin, {
        id: agent.id,
        version: await agentVersion(agent.id),
        to: 'ACTIVE',
        reason: 'Go live',
      });
    await expect(activate()).rejects.toThrow(
      new RegExp(
        'needs an accountable owner\\. Control planes without an owner: IAM, PAM, platform security\\. ' +
          'It needs at least one approved purpose\\. A HIGH or CRITICAL agent needs an escalation contact',
      ),
    );
    const owner = await createPerson(['OWNER']);
    await getDb().agent.update({ where: { id: agent.id }, data: { ownerId: owner.id } });
    for (const plane of ['IAM', 'PAM', 'PLATFORM'] as const) {
      await assignControlOwner(admin, {
        agentId: agent.id,
        version: await agentVersion(agent.id),
        plane,
        userId: owner.id,
      });
    }
    const { id: purposeId } = await addPurpose(owner, {
      agentId: agent.id,
      task: 'Deploy releases',
      scope: 'github, argo',
      environments: ['PROD'],
    });
    await expect(activate()).rejects.toThrow(/^Cannot make it active: It needs at least one approved purpose\. A HIGH/);
    await approvePurpose(admin, { purposeId, version: 1 });
    await expect(activate()).rejects.toThrow(/^Cannot make it active: A HIGH or CRITICAL agent needs an escalation/);
    await setEscalationContact(owner, {
      agentId: agent.id,
      version: await agentVersion(agent.id),
      name: 'Release on-call',
      phone: '+44 20 7946 0958',
      coverage: '24/7',
    });
    await expect(activate()).resolves.toBe('Now active.');
    const event = await getDb().auditEvent.findFirstOrThrow({
      where: { agentId: agent.id, action: 'agent.status_changed' },
    });
    expect(event.details).toEqual({ from: 'PROPOSED', to: 'ACTIVE', reason: 'Go live' });
  });

  it('the transition rules, one by one', () => {
    const ready = {
      status: 'PROPOSED' as const,
      ownerActive: true,
      planesAssigned: ['IAM', 'PAM', 'PLATFORM'] as ('IAM' | 'PAM' | 'PLATFORM')[],
      approvedPurposes: 1,
      unrevokedCredentials: 0,
      activeExceptions: 0,
      riskTier: 'HIGH' as const,
      hasEscalation: true,
    };
    expect(transitionProblems(ready, 'ACTIVE')).toEqual([]);
    // HIGH and CRITICAL go into service, or back into it, only with someone to page.
    const unpaged = ['A HIGH or CRITICAL agent needs an escalation contact: who is paged, and how.'];
    expect(transitionProblems({ ...ready, hasEscalation: false }, 'ACTIVE')).toEqual(unpaged);
    expect(transitionProblems({ ...ready, status: 'SUSPENDED', hasEscalation: false }, 'ACTIVE')).toEqual(unpaged);
    expect(transitionProblems({ ...ready, riskTier: 'CRITICAL', hasEscalation: false }, 'ACTIVE')).toEqual(unpaged);
    expect(transitionProblems({ ...ready, riskTier: 'MEDIUM', hasEscalation: false }, 'ACTIVE')).toEqual([]);
    expect(transitionProblems({ ...ready, ownerActive: false }, 'ACTIVE')).toEqual([
      'Its accountable owner is deactivated: assign an active one.',
    ]);
    expect(transitionProblems({ ...ready, planesAssigned: ['IAM'] }, 'ACTIVE')).toEqual([
      'Control planes without an owner: PAM, platform security.',
    ]);
    expect(transitionProblems({ ...ready, status: 'ACTIVE' }, 'SUSPENDED')).toEqual([]);
    expect(transitionProblems({ ...ready, status: 'SUSPENDED' }, 'ACTIVE')).toEqual([]);
    expect(transitionProblems({ ...ready, status: 'SUSPENDED' }, 'PROPOSED')).toEqual([
      'An agent cannot go from suspended to proposed.',
    ]);
    expect(
      transitionProblems({ ...ready, status: 'ACTIVE', unrevokedCredentials: 2, activeExceptions: 1 }, 'RETIRED'),
    ).toEqual([
      'Revoke its 2 unrevoked credential(s) first.',
      'Withdraw, reject or revoke its 1 open exception(s) first.',
    ]);
    expect(transitionProblems({ ...ready, status: 'RETIRED' }, 'ACTIVE')).toEqual([
      'A retired agent stays retired: register a new agent instead.',
    ]);
    expect(transitionProblems({ ...ready, status: 'ACTIVE' }, 'ACTIVE')).toEqual(['The agent is already active.']);
  });

  it('retiring refuses while a credential is unrevoked, and says so', async () => {
    const admin = await createPerson(['ADMIN']);
    const agent = await makeAgent(admin);
    await getDb().credential.create({
      data: {
        agentId: agent.id,
        name: 'k',
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'ENV_VAR',
        environment: 'PROD',
      },
    });
    await expect(
      changeAgentStatus(admin, { id: agent.id, version: agent.version, to: 'RETIRED', reason: 'Done' }),
    ).rejects.toThrow(/Revoke its 1 unrevoked credential/);
  });
});

describeWithPostgresServer('concurrent edits', () => {
  it(
    'two people saving the same agent at once: one wins, the ' + 'other gets a conflict, nothing is overwritten',
    async () => {
      const admin = await createPerson(['ADMIN']);
      for (let round = 0; round < 10; round++) {
        const agent = await makeAgent(admin);
        const edit = (name: string) =>
          updateAgent(admin, {
            id: agent.id,
            version: agent.version,
            name,
            kind: 'CI_AGENT',
            environments: ['PROD'],
            riskTier: 'HIGH',
          });
        const results = await Promise.allSettled([edit('Alice edit'), edit('Bob edit')]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost[0]?.reason).toBeInstanceOf(Conflict);
        expect(lost[0]?.reason.message).toMatch(/changed by someone else/);
        const saved = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
        expect(saved.version).toBe(2);
        expect(await getDb().auditEvent.count({ where: { agentId: agent.id, action: 'agent.updated' } })).toBe(1);
        const winner = (
          await getDb().auditEvent.findFirstOrThrow({ where: { agentId: agent.id, action: 'agent.updated' } })
        ).details as { changes: { name: { to: string } } };
        expect(saved.name).toBe(winner.changes.name.to);
      }
    },
  );
});
