// Controls that hold against the people they govern: each test is the attack
// the rule exists for, made through a path other than the obvious one.
import { describe, expect, it } from 'vitest';
import { changeAgentStatus, updateAgent } from '@/lib/agents/commands';
import { resolveOidcPerson } from '@/lib/auth/oidc';
import { issueCredential, revokeCredential, rotateCredential, updateCredential } from '@/lib/credentials/commands';
import { listAgentCredentials } from '@/lib/credentials/queries';
import { getDb } from '@/lib/db';
import { Forbidden } from '@/lib/errors';
import { decideException, lapseDueRequests, requestException, revokeException } from '@/lib/exceptions/commands';
import { awaitingRotation } from '@/lib/exceptions/rotation';
import { ingestEvents } from '@/lib/ingest/commands';
import { assignControlOwner, assignOwner, bulkReassign } from '@/lib/ownership/commands';
import { evaluateRule } from '@/lib/policy/evaluate';
import { ruleById } from '@/lib/policy/rules';
import { addPurpose, approvePurpose } from '@/lib/purposes/commands';
import { assignReviewer, completeReview } from '@/lib/reviews/commands';
import { SCHEMAS } from '@/lib/scim/schema';
import { scimPatchUser } from '@/lib/scim/users';
import { getSettings } from '@/lib/settings';
import { changeSetting } from '@/lib/settings/commands';
import { issueVaultedProdKey, makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { authenticate } from '@/lib/tokens/bearer';
import { createToken } from '@/lib/tokens/commands';
import { deactivateUser, grantRole, reactivateUser, removeRole } from '@/lib/users/commands';
import { decideChangeRequest, withdrawChangeRequest } from './commands';

const agentRow = (id: string) => getDb().agent.findUniqueOrThrow({ where: { id } });
const pendingFor = (where: object) =>
  getDb().changeRequest.findFirstOrThrow({ where: { ...where, status: 'PENDING' }, orderBy: { createdAt: 'desc' } });
const edit = async (actor: Parameters<typeof updateAgent>[0], id: string, fields: Record<string, unknown>) => {
  const a = await agentRow(id);
  return updateAgent(actor, {
    id,
    version: a.version,
    name: a.name,
    description: a.description,
    kind: a.kind,
    workloadIdentity: a.workloadIdentity ?? '',
    environments: a.environments,
    riskTier: a.riskTier,
    reviewCadenceDays: a.reviewCadenceDays ?? '',
    ...fields,
  });
};

describe('loosening an agent is a request, not an edit', () => {
  it('an owner lowers a CRITICAL agent to LOW, then asks for break-glass: it still needs two approvers', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'CRITICAL' });

    const message = await edit(owner, agent.id, { riskTier: 'LOW', description: 'Now described' });
    expect(message).toMatch(/Pending approval: a lower risk tier/);
    const after = await agentRow(agent.id);
    expect(after.riskTier).toBe('CRITICAL'); // the loosening waits
    expect(after.description).toBe('Now described'); // the rest of the edit applied
    const request = await pendingFor({ agentId: agent.id });
    expect(request).toMatchObject({ kind: 'AGENT_LOOSENING', from: { riskTier: 'CRITICAL' }, to: { riskTier: 'LOW' } });

    const { requiredApprovals } = await requestException(owner, {
      agentId: agent.id,
      type: 'BREAK_GLASS',
      noCredentialReason: 'Console access only',
      justification: 'Incident',
      durationHours: 1,
    });
    expect(requiredApprovals).toBe(2);

    // Not the requester, not a lead who holds a plane of the agent (the one who built it), only an independent lead.
    await expect(
      decideChangeRequest(owner, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'Mine' }),
    ).rejects.toThrow(Forbidden);
    await expect(
      decideChangeRequest(lead, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'I hold it' }),
    ).rejects.toThrow(/own or hold a control plane/);
    const independent = await createPerson(['ADMIN']);
    await decideChangeRequest(independent, {
      changeRequestId: request.id,
      version: 1,
      outcome: 'APPROVE',
      reason: 'Scope shrank',
    });
    expect((await agentRow(agent.id)).riskTier).toBe('LOW');
    const review = await getDb().review.findFirstOrThrow({ where: { agentId: agent.id, completedAt: null } });
    expect(review.triggers).toContain('RISK_TIER_CHANGED');
    const actions = (
      await getDb().auditEvent.findMany({
        where: { agentId: agent.id },
        orderBy: { seq: 'asc' },
        select: { action: true },
      })
    ).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['change.requested', 'change.applied', 'agent.updated']));
  });

  it('longer cadence, a removed workload identity and production access wait; tightening applies at once', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, {
      ownerId: owner.id,
      riskTier: 'MEDIUM',
      environments: ['DEV'],
      workloadIdentity: `spiffe://example.com/agents/${Date.now().toString(36)}`,
    });
    await edit(owner, agent.id, { reviewCadenceDays: '700', workloadIdentity: '', environments: ['DEV', 'PROD'] });
    const held = await agentRow(agent.id);
    expect(held).toMatchObject({
      reviewCadenceDays: null,
      environments: ['DEV'],
      workloadIdentity: agent.workloadIdentity,
    });
    expect((await pendingFor({ agentId: agent.id })).to).toEqual({
      reviewCadenceDays: 700,
      workloadIdentity: null,
      environments: ['DEV', 'PROD'],
    });
    // Withdrawn by the owner, then a tightening edit (a higher tier, a shorter cadence) applies at once.
    const request = await pendingFor({ agentId: agent.id });
    await withdrawChangeRequest(owner, { changeRequestId: request.id, version: 1 });
    // (Raised to CRITICAL with nobody to page, the reply says what it now needs.)
    expect(await edit(owner, agent.id, { riskTier: 'CRITICAL', reviewCadenceDays: '7' })).toMatch(
      /^Saved\. At this tier it needs an escalation contact/,
    );
    expect(await agentRow(agent.id)).toMatchObject({ riskTier: 'CRITICAL', reviewCadenceDays: 7 });
  });
});

it('an approved loosening applies against the present: a tier raised or an environment changed meanwhile', async () => {
  const lead = await createPerson(['ADMIN']);
  const owner = await createPerson(['OWNER']);
  const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH', environments: ['DEV'] });
  await edit(owner, agent.id, { riskTier: 'LOW' });
  const lowered = await pendingFor({ agentId: agent.id });
  // After an incident the lead raises it: tightening applies at once, the request still waits.
  await edit(lead, agent.id, { riskTier: 'CRITICAL', reviewCadenceDays: '7' });
  const independent = await createPerson(['ADMIN']);
  const approve = (id: string) =>
    decideChangeRequest(independent, { changeRequestId: id, version: 1, outcome: 'APPROVE', reason: 'Fine' });
  await expect(approve(lowered.id)).rejects.toThrow(/changed since the request was made/);
  expect(await agentRow(agent.id)).toMatchObject({ riskTier: 'CRITICAL', reviewCadenceDays: 7 });

  // The list of environments as a whole: one added after the request is not dropped by approving it.
  await decideChangeRequest(independent, {
    changeRequestId: lowered.id,
    version: 1,
    outcome: 'REJECT',
    reason: 'Stale',
  });
  await edit(owner, agent.id, { environments: ['DEV', 'PROD'] });
  const prod = await pendingFor({ agentId: agent.id });
  await edit(owner, agent.id, { environments: ['DEV', 'STAGING'] });
  await expect(approve(prod.id)).rejects.toThrow(/changed since the request was made/);
  expect((await agentRow(agent.id)).environments).toEqual(['DEV', 'STAGING']);

  // A longer cadence asked for at one tier is not applied at a higher one: judged at HIGH, it is stale at CRITICAL.
  const other = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' });
  await edit(owner, other.id, { reviewCadenceDays: '180' });
  const longer = await pendingFor({ agentId: other.id });
  expect(longer.to).toEqual({ reviewCadenceDays: 180 });
  await edit(lead, other.id, { riskTier: 'CRITICAL' });
  await expect(approve(longer.id)).rejects.toThrow(/changed since the request was made/);
  expect(await agentRow(other.id)).toMatchObject({ riskTier: 'CRITICAL', reviewCadenceDays: null });

  // Nor a lower tier asked for with a cadence override in place, the override removed meanwhile (no loosening at
  // the tier it had): approved, the lower tier's default would be a longer wait than anyone judged.
  const third = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH', reviewCadenceDays: 90 });
  await edit(owner, third.id, { riskTier: 'MEDIUM', reviewCadenceDays: '90' });
  const lower = await pendingFor({ agentId: third.id });
  expect(lower.to).toEqual({ riskTier: 'MEDIUM' });
  expect(await edit(owner, third.id, { reviewCadenceDays: '' })).toBe('Saved.');
  await expect(approve(lower.id)).rejects.toThrow(/changed since the request was made/);
  expect(await agentRow(third.id)).toMatchObject({ riskTier: 'HIGH', reviewCadenceDays: null });
});

describe('independence is not had by handing an agent away for a moment', () => {
  it('a lead who owns an agent hands it to someone, loosens it, decides about it, then takes it back', async () => {
    const lead = await createPerson(['ADMIN']);
    const colleague = await createPerson(['OWNER']);
    const planes = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(
      lead,
      { ownerId: lead.id, riskTier: 'HIGH' },
      { IAM: planes.id, PAM: planes.id, PLATFORM: planes.id },
    );
    await assignOwner(lead, { agentId: agent.id, version: (await agentRow(agent.id)).version, userId: colleague.id });
    // Lowered by the lead who held it moments ago: a request for someone independent, not an edit.
    expect(await edit(lead, agent.id, { riskTier: 'LOW' })).toMatch(/Pending approval: a lower risk tier/);
    expect((await agentRow(agent.id)).riskTier).toBe('HIGH');
    // Nor do they decide a loosening the new owner asks for, or approve its purposes.
    const request = await pendingFor({ agentId: agent.id });
    await withdrawChangeRequest(lead, { changeRequestId: request.id, version: 1 });
    await edit(colleague, agent.id, { riskTier: 'LOW' });
    const asked = await pendingFor({ agentId: agent.id });
    await expect(
      decideChangeRequest(lead, { changeRequestId: asked.id, version: 1, outcome: 'APPROVE', reason: 'Mine before' }),
    ).rejects.toThrow(/or did lately/);
    // Someone who never held it decides.
    await decideChangeRequest(await createPerson(['ADMIN']), {
      changeRequestId: asked.id,
      version: 1,
      outcome: 'APPROVE',
      reason: 'Independent',
    });
    expect((await agentRow(agent.id)).riskTier).toBe('LOW');
  });
});

describe('independence is not had by handing a control plane away either', () => {
  it('a lead who holds the PAM plane passes it on, then decides a loosening of the agent', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const others = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(
      await createPerson(['ADMIN']),
      { ownerId: owner.id, riskTier: 'HIGH' },
      { IAM: others.id, PAM: lead.id, PLATFORM: others.id },
    );
    await assignControlOwner(lead, {
      agentId: agent.id,
      version: (await agentRow(agent.id)).version,
      plane: 'PAM',
      userId: others.id,
    });
    await edit(owner, agent.id, { riskTier: 'LOW' });
    const request = await pendingFor({ agentId: agent.id });
    await expect(
      decideChangeRequest(lead, {
        changeRequestId: request.id,
        version: 1,
        outcome: 'APPROVE',
        reason: 'Not mine now',
      }),
    ).rejects.toThrow(/or did lately/);
    // Nor does it lower the tier directly as an "independent" lead.
    await withdrawChangeRequest(owner, { changeRequestId: request.id, version: 1 });
    expect(await edit(lead, agent.id, { riskTier: 'LOW' })).toMatch(/Pending approval: a lower risk tier/);
  });
});

describe('suspension sticks', () => {
  it('an owner cannot reactivate a suspended agent; only an independent lead can', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id });
    const version = async () => (await agentRow(agent.id)).version;
    await changeAgentStatus(owner, { id: agent.id, version: await version(), to: 'SUSPENDED', reason: 'Pause it' });
    await expect(
      changeAgentStatus(owner, { id: agent.id, version: await version(), to: 'ACTIVE', reason: 'Back on' }),
    ).rejects.toThrow(/Only a security lead who neither owns nor controls/);
    // The lead who holds its planes is not independent either.
    await expect(
      changeAgentStatus(lead, { id: agent.id, version: await version(), to: 'ACTIVE', reason: 'Back on' }),
    ).rejects.toThrow(Forbidden);
    const independent = await createPerson(['ADMIN']);
    await changeAgentStatus(independent, { id: agent.id, version: await version(), to: 'ACTIVE', reason: 'Checked' });
    expect((await agentRow(agent.id)).status).toBe('ACTIVE');
  });

  it('a suspension a review recorded is lifted only by a later review certified by a non-owner', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const reviewer = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' });
    const openReview = async () =>
      getDb().review.upsert({
        where: { openForAgent: agent.id },
        create: {
          agentId: agent.id,
          openForAgent: agent.id,
          triggers: ['SCHEDULED'],
          dueAt: new Date(Date.now() + 86_400_000),
          reviewerId: reviewer.id,
        },
        update: {},
      });
    const first = await openReview();
    await completeReview(reviewer, { reviewId: first.id, version: first.version, outcome: 'SUSPENDED', notes: 'Stop' });
    expect((await agentRow(agent.id)).status).toBe('SUSPENDED');
    const independent = await createPerson(['ADMIN']);
    await expect(
      changeAgentStatus(independent, {
        id: agent.id,
        version: (await agentRow(agent.id)).version,
        to: 'ACTIVE',
        reason: 'Looks fine',
      }),
    ).rejects.toThrow(/A review suspended this agent/);
    const second = await openReview();
    await completeReview(reviewer, {
      reviewId: second.id,
      version: second.version,
      outcome: 'CERTIFIED',
      notes: 'Fixed',
    });
    expect((await agentRow(agent.id)).status).toBe('ACTIVE');
  });

  it('a suspension a lead imposed is not lifted by a review a control owner certifies', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const iam = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' }, { IAM: iam.id });
    const independent = await createPerson(['ADMIN']);
    const suspend = (to: 'SUSPENDED' | 'ACTIVE', by = independent) =>
      agentRow(agent.id).then((a) =>
        changeAgentStatus(by, { id: agent.id, version: a.version, to, reason: 'Key leaked' }),
      );
    await suspend('SUSPENDED');
    // The owner adds a purpose: a review opens, the IAM owner its default reviewer (the owner may not, at HIGH).
    await addPurpose(owner, { agentId: agent.id, task: 'Ship hotfixes', scope: 'github', environments: ['PROD'] });
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
    expect(review.reviewerId).toBe(iam.id);
    const message = await completeReview(iam, {
      reviewId: review.id,
      version: review.version,
      outcome: 'CERTIFIED',
      notes: 'Looks fine',
    });
    expect(message).toMatch(/The agent stays suspended: a lead suspended it/);
    expect((await agentRow(agent.id)).status).toBe('SUSPENDED');
    // The independent lead lifts it.
    await suspend('ACTIVE');
    expect((await agentRow(agent.id)).status).toBe('ACTIVE');
  });
});

describe('four eyes on privilege', () => {
  it('a lead cannot grant themself PAM approver, nor remove a role of their own', async () => {
    const lead = await createPerson(['ADMIN']);
    await createPerson(['ADMIN']); // not the last lead
    const me = await getDb().user.findUniqueOrThrow({ where: { id: lead.id } });
    await expect(grantRole(lead, { userId: lead.id, role: 'PAM_APPROVER', version: me.version })).rejects.toThrow(
      /Nobody changes their own roles/,
    );
    await expect(removeRole(lead, { userId: lead.id, role: 'ADMIN', version: me.version })).rejects.toThrow(Forbidden);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: lead.id } })).roles).toEqual(['ADMIN']);
  });

  it('granting ADMIN takes a second lead: not the requester, not the person it goes to', async () => {
    const lead = await createPerson(['ADMIN']);
    const second = await createPerson(['ADMIN']);
    const friend = await createPerson(['OWNER']);
    expect(await grantRole(lead, { userId: friend.id, role: 'ADMIN', version: friend.version })).toMatch(/Pending/);
    expect((await getDb().user.findUniqueOrThrow({ where: { id: friend.id } })).roles).toEqual(['OWNER']);
    const request = await pendingFor({ targetUserId: friend.id });
    await expect(
      decideChangeRequest(lead, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'Self-serve' }),
    ).rejects.toThrow(/You asked for this change/);
    await decideChangeRequest(second, {
      changeRequestId: request.id,
      version: 1,
      outcome: 'APPROVE',
      reason: 'Agreed',
    });
    expect((await getDb().user.findUniqueOrThrow({ where: { id: friend.id } })).roles).toEqual(['OWNER', 'ADMIN']);
    // An owner role needs no second person.
    const plain = await createPerson([]);
    expect(await grantRole(lead, { userId: plain.id, role: 'OWNER', version: plain.version })).toMatch(/granted/);
  });

  it('a lead cannot have a decider of their own making approve, nor a request outlive their leaving', async () => {
    await getDb().setting.deleteMany();
    const lead = await createPerson(['ADMIN']);
    const base = { key: 'exceptionMaxHours', CACHED_SECRET: '168', BROAD_SCOPE: '168', OTHER: '168' };
    const loosen = async (by: typeof lead) => {
      await changeSetting(by, { ...base, PERSISTENT_TOKEN: '336', version: '0', BREAK_GLASS: '48' });
      return pendingFor({ settingKey: 'exceptionMaxHours' });
    };
    const approve = (by: typeof lead, id: string) =>
      decideChangeRequest(by, { changeRequestId: id, version: 1, outcome: 'APPROVE', reason: 'Agreed' });
    // A deactivated lead, brought back by the requester (no second person needed for a reactivation).
    const dormant = await createPerson(['ADMIN']);
    await deactivateUser(await createPerson(['ADMIN']), {
      userId: dormant.id,
      version: dormant.version,
      reason: 'On leave',
    });
    const off = await getDb().user.findUniqueOrThrow({ where: { id: dormant.id } });
    await reactivateUser(lead, { userId: dormant.id, version: off.version });
    const request = await loosen(lead);
    await expect(approve(dormant, request.id)).rejects.toThrow(/made you a decider/);
    // A lead the requester asked for (approved by a third) is no second person either.
    const friend = await createPerson(['OWNER']);
    await grantRole(lead, { userId: friend.id, role: 'ADMIN', version: friend.version });
    await approve(await createPerson(['ADMIN']), (await pendingFor({ targetUserId: friend.id })).id);
    const friendNow = await getDb().user.findUniqueOrThrow({
      where: { id: friend.id },
      select: { id: true, name: true, email: true, roles: true, version: true },
    });
    await expect(approve(friendNow, request.id)).rejects.toThrow(/made you a decider/);
    // The requester leaves: their request is rejected, not applied by whoever comes next.
    const independent = await createPerson(['ADMIN']);
    const me = await getDb().user.findUniqueOrThrow({ where: { id: lead.id } });
    await deactivateUser(independent, { userId: lead.id, version: me.version, reason: 'Left the company' });
    await expect(approve(independent, request.id)).rejects.toThrow(/no longer active: reject it/);
    expect((await getSettings(getDb())).exceptionMaxHours.BREAK_GLASS).toBe(4);
    await decideChangeRequest(independent, {
      changeRequestId: request.id,
      version: 1,
      outcome: 'REJECT',
      reason: 'The requester left',
    });
  });

  it('a decider the requester brought back through their SCIM token is no second person either', async () => {
    await getDb().setting.deleteMany();
    const lead = await createPerson(['ADMIN']);
    const dormant = await createPerson(['ADMIN']);
    await deactivateUser(await createPerson(['ADMIN']), {
      userId: dormant.id,
      version: dormant.version,
      reason: 'On leave',
    });
    // The lead's provisioning token reactivates them: the provider's word, the token's creator on the timeline.
    const body = { schemas: [SCHEMAS.patch], Operations: [{ op: 'replace', path: 'active', value: true }] };
    await scimPatchUser(lead, dormant.id, body, 'https://custodian.example.com/scim/v2');
    expect((await getDb().user.findUniqueOrThrow({ where: { id: dormant.id } })).active).toBe(true);
    await changeSetting(lead, {
      key: 'exceptionMaxHours',
      CACHED_SECRET: '168',
      BROAD_SCOPE: '168',
      OTHER: '168',
      PERSISTENT_TOKEN: '336',
      version: '0',
      BREAK_GLASS: '48',
    });
    const request = await pendingFor({ settingKey: 'exceptionMaxHours' });
    await expect(
      decideChangeRequest(dormant, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'Agreed' }),
    ).rejects.toThrow(/made you a decider/);
    await decideChangeRequest(await createPerson(['ADMIN']), {
      changeRequestId: request.id,
      version: 1,
      outcome: 'REJECT',
      reason: 'Not now',
    });
  });

  it('a lead lengthening the exception maxima alone gets a pending request; tightening applies at once', async () => {
    await getDb().setting.deleteMany();
    const lead = await createPerson(['ADMIN']);
    const second = await createPerson(['ADMIN']);
    const base = {
      key: 'exceptionMaxHours',
      CACHED_SECRET: '168',
      BROAD_SCOPE: '168',
      OTHER: '168',
      PERSISTENT_TOKEN: '336',
    };
    expect(await changeSetting(lead, { ...base, version: '0', BREAK_GLASS: '48' })).toMatch(/Pending approval/);
    expect((await getSettings(getDb())).exceptionMaxHours.BREAK_GLASS).toBe(4);
    expect(await changeSetting(lead, { ...base, version: '0', BREAK_GLASS: '2' })).toMatch(/Saved/);
    expect((await getSettings(getDb())).exceptionMaxHours.BREAK_GLASS).toBe(2);
    // The request was made against 4 hours; the policy moved since: applying it now is a conflict, not a surprise.
    const request = await pendingFor({ settingKey: 'exceptionMaxHours' });
    await expect(
      decideChangeRequest(second, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'Agreed' }),
    ).rejects.toThrow(/changed since the request was made/);
  });

  it('a security lead does not approve purposes of an agent they own or control', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id });
    const { id } = await addPurpose(lead, {
      agentId: agent.id,
      task: 'Self-approved',
      scope: 'x',
      environments: ['PROD'],
    });
    await expect(approvePurpose(lead, { purposeId: id, version: 1 })).rejects.toThrow(/independent of it approves/);
    await approvePurpose(await createPerson(['ADMIN']), { purposeId: id, version: 1 });
  });
});

describe('sign-in cannot borrow an account', () => {
  it('an unverified e-mail does not link to an existing security lead; the refusal is audited', async () => {
    const admin = await createPerson(['ADMIN']);
    const email = (await getDb().user.findUniqueOrThrow({ where: { id: admin.id } })).email!;
    const account = (sub: string) => ({
      provider: 'oidc',
      type: 'oauth' as const,
      providerAccountId: sub,
    });
    const attempt = await resolveOidcPerson({ sub: 'attacker', email, email_verified: false }, account('attacker'));
    expect(attempt).toMatchObject({ ok: false, reason: 'e-mail not verified by the provider' });
    expect(await getDb().account.count({ where: { userId: admin.id } })).toBe(0);
    const refused = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'user.sign_in_refused' },
      orderBy: { seq: 'desc' },
    });
    expect(refused.details).toMatchObject({ userId: admin.id, reason: expect.stringMatching(/not verified/) });
    const verified = await resolveOidcPerson({ sub: 'the-lead', email, email_verified: true }, account('the-lead'));
    expect(verified).toMatchObject({ ok: true, userId: admin.id });
  });
});

describe('exception decisions read the present', () => {
  const request = (owner: Parameters<typeof requestException>[0], agentId: string, type: string, hours: number) =>
    requestException(owner, {
      agentId,
      type,
      justification: 'Needed for the incident',
      durationHours: hours,
      noCredentialReason: 'Console access only',
    });

  it('a pending request’s window does not tick before approval: it starts at the final approval', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'MEDIUM' });
    const { id } = await request(owner, agent.id, 'CACHED_SECRET', 2);
    // The request waited 90 minutes before anyone looked at it.
    const asked = new Date(Date.now() - 90 * 60_000);
    await getDb().exception.update({ where: { id }, data: { startsAt: asked } });
    const approver = await createPerson(['PAM_APPROVER']);
    const before = Date.now();
    await decideException(approver, { exceptionId: id, outcome: 'APPROVE', reason: 'Reviewed the plan' });
    const approved = await getDb().exception.findUniqueOrThrow({ where: { id } });
    expect(approved.startsAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(approved.expiresAt.getTime() - approved.startsAt.getTime()).toBe(2 * 3_600_000);
  });

  it('the approvals a break-glass needs are counted at each decision: a tier raised meanwhile means two', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' });
    const { id, requiredApprovals } = await request(owner, agent.id, 'BREAK_GLASS', 1);
    expect(requiredApprovals).toBe(1);
    await edit(owner, agent.id, { riskTier: 'CRITICAL' }); // tightening: applies at once
    const first = await decideException(await createPerson(['PAM_APPROVER']), {
      exceptionId: id,
      outcome: 'APPROVE',
      reason: 'First look',
    });
    expect(first).toMatchObject({ status: 'PENDING', approvals: 1 });
    const second = await decideException(await createPerson(['PAM_APPROVER']), {
      exceptionId: id,
      outcome: 'APPROVE',
      reason: 'Second look',
    });
    expect(second.status).toBe('APPROVED');
  });

  it('an undecided request lapses once, with its event, whatever the sweepers; windows in whole minutes', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'LOW' });
    const { id } = await request(owner, agent.id, 'BREAK_GLASS', 1);
    await getDb().exception.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const swept = await Promise.all([lapseDueRequests(), lapseDueRequests()]);
    expect(swept.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
    expect((await getDb().exception.findUniqueOrThrow({ where: { id } })).status).toBe('LAPSED');
    const events = await getDb().auditEvent.count({
      where: { action: 'exception.lapsed', details: { path: ['exceptionId'], equals: id } },
    });
    expect(events).toBe(1);
    await expect(
      decideException(await createPerson(['PAM_APPROVER']), { exceptionId: id, outcome: 'APPROVE', reason: 'Late' }),
    ).rejects.toThrow(/already lapsed/);
    await expect(request(owner, agent.id, 'OTHER', 0.0000001)).rejects.toThrow(/whole number of minutes/);
    await expect(request(owner, agent.id, 'OTHER', 10 / 60)).rejects.toThrow(/at least 15/);
  });
});

describe('bulk reassignment keeps the rules', () => {
  it('a leaver’s agents move with owner-changed reviews, their reviews passed on, all-planes flagged', async () => {
    const lead = await createPerson(['ADMIN']);
    const leaver = await createPerson(['OWNER']);
    const successor = await createPerson(['OWNER']);
    // The leaver owns one HIGH agent and reviews another; the successor already holds IAM and PAM of a third.
    const owned = await makeActiveAgent(lead, { ownerId: leaver.id });
    const reviewed = await makeActiveAgent(lead, { ownerId: successor.id }, { IAM: leaver.id });
    const third = await makeActiveAgent(
      lead,
      { ownerId: lead.id },
      { IAM: successor.id, PAM: successor.id, PLATFORM: leaver.id },
    );
    const review = await getDb().review.create({
      data: {
        agentId: reviewed.id,
        openForAgent: reviewed.id,
        triggers: ['SCHEDULED'],
        dueAt: new Date(Date.now() + 86_400_000),
        reviewerId: leaver.id,
      },
    });
    await bulkReassign(lead, { fromUserId: leaver.id, toUserId: successor.id, reason: 'Leaver handover' });
    const ownedReview = await getDb().review.findFirstOrThrow({ where: { agentId: owned.id, completedAt: null } });
    expect(ownedReview.triggers).toContain('OWNER_CHANGED');
    const passed = await getDb().review.findUniqueOrThrow({ where: { id: review.id } });
    expect(passed.reviewerId).not.toBe(leaver.id);
    const warning = await getDb().auditEvent.findFirstOrThrow({
      where: { agentId: third.id, action: 'control.assigned' },
      orderBy: { seq: 'desc' },
    });
    expect(warning.details).toMatchObject({ plane: 'PLATFORM', bulk: true, separationOfDutiesWarning: true });
  });
});

describe('the people these rules govern, through another path', () => {
  it('a lead who asked for a loosening cannot decide it after giving the agent away', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id, riskTier: 'CRITICAL' });
    expect(await edit(lead, agent.id, { riskTier: 'LOW' })).toMatch(/Pending approval/);
    const request = await pendingFor({ agentId: agent.id });
    // The lead hands ownership and every plane to someone else: now independent of the agent, but still the requester.
    const other = await createPerson(['OWNER']);
    await getDb().agent.update({ where: { id: agent.id }, data: { ownerId: other.id } });
    await getDb().controlAssignment.updateMany({ where: { agentId: agent.id }, data: { userId: other.id } });
    await expect(
      decideChangeRequest(lead, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'Mine now' }),
    ).rejects.toThrow(/You asked for this change/);
    expect((await agentRow(agent.id)).riskTier).toBe('CRITICAL');
  });

  it('the person a privileged role goes to cannot apply their own grant, even as a lead', async () => {
    const requester = await createPerson(['ADMIN']);
    const target = await createPerson(['ADMIN']); // a lead asking to become PAM approver through a colleague
    const version = (await getDb().user.findUniqueOrThrow({ where: { id: target.id } })).version;
    await grantRole(requester, { userId: target.id, role: 'PAM_APPROVER', version });
    const request = await pendingFor({ targetUserId: target.id });
    await expect(
      decideChangeRequest(target, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'For me' }),
    ).rejects.toThrow(/This change is about you/);
  });

  it('an owner who reviews their own LOW agent cannot lift its suspension by certifying', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'LOW' });
    const version = (await agentRow(agent.id)).version;
    await changeAgentStatus(owner, { id: agent.id, version, to: 'SUSPENDED', reason: 'Pause it' });
    // At LOW the owner may review their own agent: certifying is allowed, lifting the suspension is not.
    const review = await getDb().review.create({
      data: {
        agentId: agent.id,
        openForAgent: agent.id,
        triggers: ['SCHEDULED'],
        dueAt: new Date(Date.now() + 86_400_000),
        reviewerId: owner.id,
      },
    });
    await completeReview(owner, { reviewId: review.id, version: review.version, outcome: 'CERTIFIED', notes: 'Fine' });
    expect((await agentRow(agent.id)).status).toBe('SUSPENDED');
  });

  it('a break-glass asked for on a CRITICAL agent still needs two approvers after the tier is lowered', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'CRITICAL' });
    const { id } = await requestException(owner, {
      agentId: agent.id,
      type: 'BREAK_GLASS',
      noCredentialReason: 'Console access only',
      justification: 'Incident',
      durationHours: 1,
    });
    // An independent lead lowers the tier meanwhile (legitimately): the request keeps what it was asked under.
    await edit(await createPerson(['ADMIN']), agent.id, { riskTier: 'LOW' });
    expect((await agentRow(agent.id)).riskTier).toBe('LOW');
    const first = await decideException(await createPerson(['PAM_APPROVER']), {
      exceptionId: id,
      outcome: 'APPROVE',
      reason: 'First look',
    });
    expect(first).toMatchObject({ status: 'PENDING', approvals: 1 });
  });

  it('an exception is approved by people the requester did not make approvers, counted while they are', async () => {
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: lead.id, riskTier: 'CRITICAL' });
    const ask = () =>
      requestException(lead, {
        agentId: agent.id,
        type: 'BREAK_GLASS',
        noCredentialReason: 'Console access only',
        justification: 'Incident',
        durationHours: 1,
      });
    const approve = (by: Awaited<ReturnType<typeof createPerson>>, exceptionId: string) =>
      decideException(by, { exceptionId, outcome: 'APPROVE', reason: 'Seen it' });
    // A dormant PAM approver the requesting lead brings back is no second person.
    const dormant = await createPerson(['PAM_APPROVER']);
    await deactivateUser(await createPerson(['ADMIN']), { userId: dormant.id, version: 1, reason: 'On leave' });
    const off = await getDb().user.findUniqueOrThrow({ where: { id: dormant.id } });
    const { id } = await ask();
    await reactivateUser(lead, { userId: dormant.id, version: off.version });
    await expect(approve(dormant, id)).rejects.toThrow(/made you an approver/);
    // Nor one they asked to make a PAM approver (the grant applied by another lead): the role path, not the console's
    // reactivation.
    const friend = await createPerson(['OWNER']);
    await grantRole(lead, { userId: friend.id, role: 'PAM_APPROVER', version: friend.version });
    await decideChangeRequest(await createPerson(['ADMIN']), {
      changeRequestId: (await pendingFor({ targetUserId: friend.id })).id,
      version: 1,
      outcome: 'APPROVE',
      reason: 'Agreed',
    });
    const friendNow = await getDb().user.findUniqueOrThrow({
      where: { id: friend.id },
      select: { id: true, name: true, email: true, roles: true, version: true },
    });
    await expect(approve(friendNow, id)).rejects.toThrow(/made you an approver/);
    // An approver who leaves after approving no longer counts towards the two a CRITICAL break-glass needs.
    const first = await createPerson(['PAM_APPROVER']);
    expect(await approve(first, id)).toMatchObject({ status: 'PENDING', approvals: 1 });
    await deactivateUser(await createPerson(['ADMIN']), { userId: first.id, version: 1, reason: 'Left' });
    expect(await approve(await createPerson(['PAM_APPROVER']), id)).toMatchObject({ status: 'PENDING', approvals: 1 });
    expect(await approve(await createPerson(['PAM_APPROVER']), id)).toMatchObject({ status: 'APPROVED', approvals: 2 });
    // A requester who has left: their request is not approved by whoever comes next.
    const again = await ask();
    const me = await getDb().user.findUniqueOrThrow({ where: { id: lead.id } });
    await deactivateUser(await createPerson(['ADMIN']), { userId: lead.id, version: me.version, reason: 'Left' });
    await expect(approve(await createPerson(['PAM_APPROVER']), again.id)).rejects.toThrow(/no longer active/);
  });
});

describe('after break-glass, rotation is evidence, not a reminder', () => {
  async function brokenGlass(tier: 'LOW' | 'CRITICAL' = 'LOW') {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const pam = [await createPerson(['PAM_APPROVER']), await createPerson(['PAM_APPROVER'])];
    const iam = await createPerson(['OWNER'], { name: 'IAM owner' });
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: tier }, { IAM: iam.id });
    const issue = (name: string) => issueVaultedProdKey(owner, agent.id, name);
    const [deployKey, dbKey] = [await issue('deploy-key'), await issue('db-key')];
    /** A break-glass asked for, approved and revoked early: its post-incident review opens. */
    const endBreakGlass = async (requester: typeof owner, credentialIds: string[], justification = 'Incident') => {
      const { id } = await requestException(requester, {
        agentId: agent.id,
        type: 'BREAK_GLASS',
        credentialIds,
        justification,
        durationHours: 1,
      });
      await decideException(pam[0]!, { exceptionId: id, outcome: 'APPROVE', reason: 'On call confirmed' });
      await revokeException(pam[1]!, { exceptionId: id, reason: 'Incident over' });
    };
    return { lead, owner, pam, iam, agent, deployKey, dbKey, endBreakGlass };
  }
  const openReview = (agentId: string) => getDb().review.findUniqueOrThrow({ where: { openForAgent: agentId } });

  it('a break-glass names the credentials it covers, or says why none: neither (or both) is refused', async () => {
    const { owner, agent, deployKey } = await brokenGlass();
    const base = { agentId: agent.id, type: 'BREAK_GLASS', justification: 'Incident', durationHours: 1 };
    await expect(requestException(owner, base)).rejects.toMatchObject({
      fieldErrors: { credentialIds: [expect.stringMatching(/names the credentials it covers/)] },
    });
    await expect(
      requestException(owner, { ...base, credentialIds: [deployKey.id], noCredentialReason: 'Console only' }),
    ).rejects.toMatchObject({ fieldErrors: { noCredentialReason: [expect.stringMatching(/not both/)] } });
    const other = await brokenGlass();
    await expect(requestException(owner, { ...base, credentialIds: [other.deployKey.id] })).rejects.toMatchObject({
      fieldErrors: { credentialIds: ['Not a credential of this agent.'] },
    });
    const { id } = await requestException(owner, { ...base, noCredentialReason: 'Console access to the runner only' });
    expect(await getDb().exception.findUniqueOrThrow({ where: { id } })).toMatchObject({
      noCredentialReason: 'Console access to the runner only',
    });
  });

  it('the owner certifies their own post-incident review without rotation: refused, whatever the tier', async () => {
    const { owner, pam, iam, agent, deployKey, dbKey } = await brokenGlass('LOW');
    const { id } = await requestException(owner, {
      agentId: agent.id,
      type: 'BREAK_GLASS',
      credentialIds: [deployKey.id, dbKey.id],
      justification: 'Incident',
      durationHours: 1,
    });
    await decideException(pam[0]!, { exceptionId: id, outcome: 'APPROVE', reason: 'On call confirmed' });
    // A rotation recorded while the break-glass was in force does not count: it must follow the end.
    await rotateCredential(owner, { credentialId: dbKey.id, reason: 'Early' });
    await revokeException(pam[1]!, { exceptionId: id, reason: 'Incident over' });

    // At LOW tier the owner may review their own agent, but not after a break-glass: the review goes to IAM.
    const review = await openReview(agent.id);
    expect(review.triggers).toContain('POST_INCIDENT');
    expect(review.reviewerId).toBe(iam.id);
    await expect(
      assignReviewer(await createPerson(['ADMIN']), {
        reviewId: review.id,
        version: review.version,
        reviewerId: owner.id,
      }),
    ).rejects.toThrow(/post-incident review is done by someone else/);
    await expect(
      completeReview(owner, { reviewId: review.id, version: review.version, outcome: 'CERTIFIED', notes: 'Fine' }),
    ).rejects.toBeInstanceOf(Forbidden);

    // The independent reviewer cannot certify either until each covered credential is rotated after the end.
    const certify = () =>
      completeReview(iam, { reviewId: review.id, version: review.version, outcome: 'CERTIFIED', notes: 'All good' });
    await expect(certify()).rejects.toThrow(/rotation of db-key, deploy-key missing/);
    await rotateCredential(owner, { credentialId: deployKey.id, reason: 'After break-glass' });
    await expect(certify()).rejects.toThrow(/rotation of db-key missing/);
    await rotateCredential(owner, { credentialId: dbKey.id, reason: 'After break-glass' });
    await certify();
    expect((await getDb().review.findUniqueOrThrow({ where: { id: review.id } })).outcome).toBe('CERTIFIED');
  });

  it('a post-incident trigger joining an open review assigned to the owner passes it to someone else', async () => {
    const { lead, owner, iam, agent, deployKey, endBreakGlass } = await brokenGlass('LOW');
    // A LOW agent's owner reviews it: raise a review (an environment change) so one is open, assigned to the owner.
    await edit(lead, agent.id, { environments: ['PROD', 'STAGING'] });
    expect((await openReview(agent.id)).reviewerId).toBe(owner.id);
    await endBreakGlass(owner, [deployKey.id], 'Incident');
    const review = await openReview(agent.id);
    expect(review.triggers).toEqual(expect.arrayContaining(['ENVIRONMENT_CHANGED', 'POST_INCIDENT']));
    expect(review.reviewerId).toBe(iam.id);
    const passed = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'review.reviewer_assigned', agentId: agent.id },
      orderBy: { seq: 'desc' },
    });
    expect(passed.details).toMatchObject({ reviewId: review.id, from: { id: owner.id }, to: { id: iam.id } });
  });

  it('revoking the covered credential closes it out: the review then reduces scope instead of certifying', async () => {
    const { owner, iam, agent, deployKey, endBreakGlass } = await brokenGlass('LOW');
    await endBreakGlass(owner, [deployKey.id], 'Incident');
    const review = await openReview(agent.id);
    // Reducing something else does not close it out: the covered key still awaits rotation.
    const [purpose] = await getDb().purpose.findMany({ where: { agentId: agent.id } });
    await expect(
      completeReview(iam, {
        reviewId: review.id,
        version: review.version,
        outcome: 'SCOPE_REDUCED',
        notes: 'Trimmed a purpose instead',
        expirePurposes: [purpose!.id],
      }),
    ).rejects.toThrow(/cannot be closed with scope reduced yet: .*rotation of deploy-key missing/);
    await completeReview(iam, {
      reviewId: review.id,
      version: review.version,
      outcome: 'SCOPE_REDUCED',
      notes: 'Key revoked instead of rotated',
      revokeCredentials: [deployKey.id],
    });
    expect(await awaitingRotation(getDb(), { agentId: agent.id })).toEqual([]);
  });

  it('whoever asked for the break-glass does not review it, even a lead who does not own the agent', async () => {
    const { lead, owner, iam, agent, deployKey, endBreakGlass } = await brokenGlass('LOW');
    await endBreakGlass(lead, [deployKey.id], 'Incident, the owner was away');
    const review = await openReview(agent.id);
    expect([owner.id, lead.id]).not.toContain(review.reviewerId);
    expect(review.reviewerId).toBe(iam.id);
    await expect(
      assignReviewer(lead, { reviewId: review.id, version: review.version, reviewerId: lead.id }),
    ).rejects.toThrow(/asked for the break-glass/);
  });

  it('the requester who then takes the agent’s IAM plane and the review still may not complete it', async () => {
    const { lead, iam, agent, deployKey, endBreakGlass } = await brokenGlass('LOW');
    await endBreakGlass(lead, [deployKey.id]);
    // Another path to the review: become a control owner after the break-glass ended, then be the reviewer.
    const a = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
    await assignControlOwner(lead, { agentId: agent.id, version: a.version, plane: 'IAM', userId: lead.id });
    const review = await openReview(agent.id);
    expect(review.reviewerId).toBe(iam.id);
    await expect(
      assignReviewer(lead, { reviewId: review.id, version: review.version, reviewerId: lead.id }),
    ).rejects.toThrow(/asked for the break-glass/);
    await getDb().review.update({ where: { id: review.id }, data: { reviewerId: lead.id } });
    const forced = await openReview(agent.id);
    await expect(
      completeReview(lead, { reviewId: forced.id, version: forced.version, outcome: 'SUSPENDED', notes: 'Fine' }),
    ).rejects.toThrow(/asked for the break-glass/);
  });

  it('a rotation reported ahead of the clock does not count from the future', async () => {
    const { lead, agent, deployKey } = await brokenGlass('LOW');
    const { token } = await createToken(lead, { name: 'broker', scopes: ['events:write'], expiresInDays: 30 });
    const actor = await authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${token}` } }),
      'events:write',
    );
    const ahead = new Date(Date.now() + 4 * 60_000);
    await ingestEvents(
      actor,
      {
        events: [
          {
            type: 'credential.rotated',
            agent: { slug: agent.slug },
            credential: { id: deployKey.id },
            occurredAt: ahead.toISOString(),
          },
        ],
      },
      { partial: false },
    );
    const { lastRotatedAt } = await getDb().credential.findUniqueOrThrow({ where: { id: deployKey.id } });
    expect(lastRotatedAt!.getTime()).toBeLessThanOrEqual(Date.now());
  });
});

describe('loosening a credential is a request, not an edit', () => {
  async function bound() {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' });
    const { id } = await issueCredential(owner, {
      agentId: agent.id,
      name: 'deploy-token',
      kind: 'OAUTH_TOKEN',
      issuance: 'DYNAMIC',
      storage: 'CI_SECRET',
      environment: 'PROD',
      scope: 'github:deploy',
      maxTtlSeconds: '900',
      boundToWorkloadIdentity: 'on',
    });
    return { lead, owner, agent, credentialId: id };
  }
  const row = (id: string) => getDb().credential.findUniqueOrThrow({ where: { id } });
  const editCredential = async (actor: Parameters<typeof updateCredential>[0], id: string, fields: object) => {
    const c = await row(id);
    return updateCredential(actor, {
      credentialId: id,
      version: c.version,
      storage: c.storage,
      secretRef: c.secretRef ?? '',
      scope: c.scope,
      maxTtlSeconds: c.maxTtlSeconds ?? '',
      rotationPeriodDays: c.rotationPeriodDays ?? '',
      boundToWorkloadIdentity: c.boundToWorkloadIdentity,
      privileged: c.privileged,
      ...fields,
    });
  };

  it('the owner unbinds a credential: it waits for an independent lead, then opens the review', async () => {
    const { lead, owner, agent, credentialId } = await bound();
    const message = await editCredential(owner, credentialId, {
      boundToWorkloadIdentity: false,
      reason: 'Runner move',
    });
    expect(message).toMatch(/Pending approval: unbinding it from the workload identity/);
    expect((await row(credentialId)).boundToWorkloadIdentity).toBe(true);
    const request = await pendingFor({ credentialId });
    expect(request).toMatchObject({
      kind: 'CREDENTIAL_LOOSENING',
      agentId: agent.id,
      from: { boundToWorkloadIdentity: true },
      to: { boundToWorkloadIdentity: false },
      reason: 'Runner move',
    });
    // Neither the owner nor the lead who holds the agent's planes decides it.
    const decide = (actor: Parameters<typeof decideChangeRequest>[0]) =>
      decideChangeRequest(actor, { changeRequestId: request.id, version: 1, outcome: 'APPROVE', reason: 'Checked' });
    await expect(decide(owner)).rejects.toBeInstanceOf(Forbidden);
    await expect(decide(lead)).rejects.toBeInstanceOf(Forbidden);
    await decide(await createPerson(['ADMIN']));
    expect((await row(credentialId)).boundToWorkloadIdentity).toBe(false);
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
    expect(review.triggers).toContain('CREDENTIAL_LOOSENED');
    const updated = await getDb().auditEvent.findFirstOrThrow({
      where: { action: 'credential.updated', credentialId },
    });
    expect(updated.details).toMatchObject({ changeRequestId: request.id, changes: { boundToWorkloadIdentity: {} } });
  });

  it('who asked for a loosening, and who applied it, do not review it', async () => {
    const { lead, owner, agent, credentialId } = await bound();
    // The lead holds every plane: their loosening is a request for someone independent.
    expect(await editCredential(lead, credentialId, { boundToWorkloadIdentity: false })).toMatch(/Pending approval/);
    const request = await pendingFor({ credentialId });
    const approver = await createPerson(['ADMIN']);
    await decideChangeRequest(approver, {
      changeRequestId: request.id,
      version: 1,
      outcome: 'APPROVE',
      reason: 'Checked',
    });
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
    expect(review.triggers).toContain('CREDENTIAL_LOOSENED');
    expect(review.reviewerId).toBeNull();
    for (const person of [lead.id, approver.id, owner.id]) {
      await expect(
        assignReviewer(await createPerson(['ADMIN']), {
          reviewId: review.id,
          version: review.version,
          reviewerId: person,
        }),
      ).rejects.toThrow(/someone else/);
    }
  });

  it('a longer TTL, privilege and weaker storage wait; tightening applies at once', async () => {
    const { owner, credentialId } = await bound();
    expect(await editCredential(owner, credentialId, { maxTtlSeconds: '300', storage: 'VAULT_OR_BROKER' })).toBe(
      'Saved.',
    );
    expect(await row(credentialId)).toMatchObject({ maxTtlSeconds: 300, storage: 'VAULT_OR_BROKER' });
    const message = await editCredential(owner, credentialId, {
      maxTtlSeconds: '',
      privileged: true,
      storage: 'ENV_VAR',
      scope: 'github:deploy, github:admin',
      secretRef: 'vault:kv/prod/deploy-token',
    });
    expect(message).toMatch(
      /Saved what tightens or describes it\. Pending approval: a longer TTL, privilege, weaker storage, a wider scope/,
    );
    expect(await row(credentialId)).toMatchObject({
      maxTtlSeconds: 300,
      privileged: false,
      storage: 'VAULT_OR_BROKER',
      scope: 'github:deploy',
      secretRef: 'vault:kv/prod/deploy-token',
    });
    // Narrowing the scope, or restating it in other words, is no loosening.
    expect(await editCredential(owner, credentialId, { scope: 'GitHub:deploy' })).toBe('Saved.');
    // One request at a time per credential.
    await expect(editCredential(owner, credentialId, { privileged: true })).rejects.toThrow(/already waits/);
  });

  it('with no rotation period of its own a key rotates by the policy: stating a longer one waits', async () => {
    const { owner, credentialId } = await bound();
    expect((await row(credentialId)).rotationPeriodDays).toBeNull();
    // The policy's 90 days: ten years is a loosening, not a limit stated where there was none.
    expect(await editCredential(owner, credentialId, { rotationPeriodDays: '3650' })).toMatch(
      /Pending approval: a longer rotation period/,
    );
    expect((await row(credentialId)).rotationPeriodDays).toBeNull();
    await withdrawChangeRequest(owner, { changeRequestId: (await pendingFor({ credentialId })).id, version: 1 });
    expect(await editCredential(owner, credentialId, { rotationPeriodDays: '30' })).toBe('Saved.');
    // And removing the 30 days goes back to the policy's 90: a loosening too.
    expect(await editCredential(owner, credentialId, { rotationPeriodDays: '' })).toMatch(
      /Pending approval: a longer rotation period/,
    );
  });

  it('a looser credential issued beside a tight one opens the review; an independent lead’s does not', async () => {
    const { lead, owner, agent, credentialId } = await bound();
    const openReview = () => getDb().review.findUnique({ where: { openForAgent: agent.id } });
    expect(await openReview()).toBeNull();
    // What an edit of the existing key would need a second person for, a new key gets at once: recorded, and reviewed.
    const fields = {
      agentId: agent.id,
      kind: 'API_KEY',
      issuance: 'STATIC',
      environment: 'PROD',
      scope: 'github:deploy',
    };
    const loose = await issueCredential(owner, { ...fields, name: 'deploy-key-2', storage: 'ENV_VAR' });
    expect(loose.reviewed).toBe(true);
    await revokeCredential(owner, { credentialId, version: (await row(credentialId)).version, reason: 'Replaced' });
    expect((await openReview())?.triggers).toContain('CREDENTIAL_LOOSENED');
    // The owner may not review it; the lead who holds the planes was its reviewer.
    expect((await openReview())?.reviewerId).toBe(lead.id);
    // More loose keys from the owner leave the review as it is: a stream of them cannot keep the reviewer's form
    // stale (the version it was read at), nor record the owner twice.
    const opened = (await openReview())!;
    for (const name of ['deploy-key-3', 'deploy-key-4']) {
      expect((await issueCredential(owner, { ...fields, name, storage: 'ENV_VAR' })).reviewed).toBe(true);
    }
    expect((await openReview())!.version).toBe(opened.version);
    expect(
      await getDb().auditEvent.count({
        where: { agentId: agent.id, action: { in: ['review.opened', 'review.trigger_added'] } },
      }),
    ).toBe(1);
    // Privileged anywhere, too; by the lead who holds the agent's planes as well, who then no longer reviews it.
    expect(
      (await issueCredential(lead, { ...fields, name: 'admin-key', storage: 'CI_SECRET', privileged: 'on' })).reviewed,
    ).toBe(true);
    const review = (await openReview())!;
    expect(review.reviewerId).toBeNull();
    await expect(
      assignReviewer(await createPerson(['ADMIN']), {
        reviewId: review.id,
        version: review.version,
        reviewerId: lead.id,
      }),
    ).rejects.toThrow(/loosened a credential of this agent, or recorded one loose/);
    // A vaulted, unprivileged key is not; nor is a loose one a lead independent of the agent records.
    expect((await issueCredential(owner, { ...fields, name: 'vaulted', storage: 'VAULT_OR_BROKER' })).reviewed).toBe(
      false,
    );
    // On a low-risk agent, whose owner may review it: not this review, which their own key opened.
    const low = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'LOW', environments: ['PROD'] });
    await issueCredential(owner, { ...fields, agentId: low.id, name: 'low-key', storage: 'ENV_VAR' });
    const lowReview = await getDb().review.findUniqueOrThrow({ where: { openForAgent: low.id } });
    expect(lowReview.triggers).toContain('CREDENTIAL_LOOSENED');
    expect(lowReview.reviewerId).not.toBe(owner.id);
    // Nor is the owner made its reviewer by assignment.
    await expect(
      assignReviewer(lead, { reviewId: lowReview.id, version: lowReview.version, reviewerId: owner.id }),
    ).rejects.toThrow(/a loosened credential is reviewed by someone else/);
    const independent = await createPerson(['ADMIN']);
    expect((await issueCredential(independent, { ...fields, name: 'legacy', storage: 'CONFIG_FILE' })).reviewed).toBe(
      false,
    );
  });

  it('a key looser than the one it replaces is reviewed: revoking and issuing is the edit in two steps', async () => {
    const { owner, agent, credentialId } = await bound();
    const token = (name: string, fields: Record<string, string | undefined> = {}) =>
      issueCredential(owner, {
        agentId: agent.id,
        name,
        kind: 'OAUTH_TOKEN',
        issuance: 'DYNAMIC',
        storage: 'CI_SECRET',
        environment: 'PROD',
        scope: 'github:deploy',
        maxTtlSeconds: '900',
        boundToWorkloadIdentity: 'on',
        ...fields,
      });
    // As tight as the one it sits beside, or another kind, or another system's scope: nothing to review.
    expect((await token('deploy-token-2')).reviewed).toBe(false);
    expect((await token('jira-token', { scope: 'jira:write' })).reviewed).toBe(false);
    expect((await token('api-key', { kind: 'API_KEY', boundToWorkloadIdentity: undefined })).reviewed).toBe(false);
    expect(await getDb().review.findUnique({ where: { openForAgent: agent.id } })).toBeNull();
    // The bound key revoked, an unbound one with no TTL issued in its place: what an edit would have asked a second
    // person for is reviewed (the revoked key counts for 30 days).
    await revokeCredential(owner, { credentialId, version: (await row(credentialId)).version, reason: 'Replaced' });
    const looser = await token('deploy-token-3', { boundToWorkloadIdentity: undefined, maxTtlSeconds: undefined });
    expect(looser.reviewed).toBe(true);
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
    expect(review.triggers).toContain('CREDENTIAL_LOOSENED');
    // A kind is what the issuer says: OTHER is compared with every kind.
    expect((await token('other', { kind: 'OTHER', boundToWorkloadIdentity: undefined })).reviewed).toBe(true);

    // Through ingest, a revocation reported as 31 days old counts from when it was recorded.
    const second = await bound();
    const { token: backfill } = await createToken(second.lead, {
      name: 'backfill',
      scopes: ['events:write', 'events:backfill'],
      expiresInDays: 1,
    });
    const actor = await authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${backfill}` } }),
      'events:write',
    );
    const long = new Date(Date.now() - 31 * 86_400_000).toISOString();
    const events = [
      {
        type: 'credential.revoked',
        agent: { slug: second.agent.slug },
        credential: { name: 'deploy-token' },
        occurredAt: long,
      },
      {
        type: 'credential.issued',
        agent: { slug: second.agent.slug },
        credential: {
          name: 'deploy-token-unbound',
          kind: 'OAUTH_TOKEN',
          issuance: 'DYNAMIC',
          storage: 'CI_SECRET',
          environment: 'PROD',
          scope: 'github:deploy',
        },
        occurredAt: new Date().toISOString(),
      },
    ];
    expect((await ingestEvents(actor, { events }, { partial: false })).status).toBe(201);
    const backdated = await getDb().review.findUnique({ where: { openForAgent: second.agent.id } });
    expect(backdated?.triggers).toContain('CREDENTIAL_LOOSENED');
  });

  it('a loose credential recorded while the agent was proposed is reviewed once it is in service', async () => {
    const owner = await createPerson(['OWNER']);
    const looseKey = (agentId: string) =>
      issueCredential(owner, {
        agentId,
        name: 'env-key',
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'ENV_VAR',
        environment: 'PROD',
      });
    let reviewed: boolean | undefined;
    // Put in service by the lead who holds its planes: the review opens.
    const lead = await createPerson(['ADMIN']);
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, environments: ['PROD'] }, {}, async (id) => {
      reviewed = (await looseKey(id)).reviewed;
    });
    expect(reviewed).toBe(false);
    const review = await getDb().review.findUniqueOrThrow({ where: { openForAgent: agent.id } });
    expect(review.triggers).toContain('CREDENTIAL_LOOSENED');
    // Put in service by a lead independent of it (who vouches for what it holds): none.
    const independent = await createPerson(['ADMIN']);
    const planes = await createPerson(['OWNER']);
    const other = await makeActiveAgent(
      independent,
      { ownerId: owner.id, environments: ['PROD'] },
      { IAM: planes.id, PAM: planes.id, PLATFORM: planes.id },
      looseKey,
    );
    expect(await getDb().review.findUnique({ where: { openForAgent: other.id } })).toBeNull();
    // Whoever recorded the key while it was proposed does not review it: the lead on its IAM plane who issued a
    // privileged key is not its reviewer once another lead puts the agent in service.
    const iam = await createPerson(['ADMIN']);
    const third = await makeActiveAgent(lead, { ownerId: owner.id, environments: ['PROD'] }, { IAM: iam.id }, (id) =>
      issueCredential(iam, {
        agentId: id,
        name: 'admin-key',
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'VAULT_OR_BROKER',
        environment: 'PROD',
        privileged: 'on',
      }),
    );
    const thirdReview = await getDb().review.findUniqueOrThrow({ where: { openForAgent: third.id } });
    expect(thirdReview.reviewerId).toBeNull();
    await expect(
      assignReviewer(independent, { reviewId: thirdReview.id, version: thirdReview.version, reviewerId: iam.id }),
    ).rejects.toThrow(/loosened a credential of this agent, or recorded one loose/);
  });

  it('a loose credential a broker reports as issued is reviewed, whoever made the token', async () => {
    const { lead, agent } = await bound();
    const tokenOf = async (creator: typeof lead) =>
      (await createToken(creator, { name: 'broker', scopes: ['events:write'], expiresInDays: 1 })).token;
    const report = async (token: string, name: string, credential: Record<string, unknown>) => {
      const actor = await authenticate(
        new Request('http://x', { headers: { authorization: `Bearer ${token}` } }),
        'events:write',
      );
      const event = { type: 'credential.issued', agent: { slug: agent.slug }, occurredAt: new Date().toISOString() };
      const base = { kind: 'API_KEY', issuance: 'STATIC', environment: 'PROD' };
      const events = [{ ...event, credential: { name, ...base, ...credential } }];
      expect((await ingestEvents(actor, { events }, { partial: false })).status).toBe(201);
    };
    const openReview = () => getDb().review.findUnique({ where: { openForAgent: agent.id } });
    // A vaulted key, reported by the token of the lead who holds the agent's planes: nothing to review.
    await report(await tokenOf(lead), 'vaulted', { storage: 'VAULT_OR_BROKER' });
    expect(await openReview()).toBeNull();
    // A loose one, even through the token of a lead independent of the agent: a token vouches for nobody (the
    // workload it governs may hold it), as for an agent edit. Recorded, and reviewed.
    const independent = await createPerson(['ADMIN']);
    await report(await tokenOf(independent), 'legacy', { storage: 'CONFIG_FILE' });
    const review = (await openReview())!;
    expect(review.triggers).toContain('CREDENTIAL_LOOSENED');
    const opened = await getDb().auditEvent.findFirstOrThrow({ where: { action: 'review.opened', agentId: agent.id } });
    expect(opened.actorType).toBe('API_TOKEN');
    // Neither the owner nor the token's creator reviews it: the lead who holds the planes does.
    expect(review.reviewerId).toBe(lead.id);
    await expect(
      assignReviewer(await createPerson(['ADMIN']), {
        reviewId: review.id,
        version: review.version,
        reviewerId: independent.id,
      }),
    ).rejects.toThrow(/loosened a credential of this agent, or recorded one loose/);
    // The planes' lead's token records a privileged key: they are no longer its reviewer, and nobody is left.
    await report(await tokenOf(lead), 'admin-key', { storage: 'CI_SECRET', privileged: true });
    expect((await openReview())?.reviewerId).toBeNull();
    expect(await getDb().credential.count({ where: { agentId: agent.id } })).toBe(4);
  });

  it('an approved loosening applies against the present: a field tightened meanwhile is a conflict', async () => {
    const { owner, credentialId } = await bound();
    await editCredential(owner, credentialId, { maxTtlSeconds: '86400' });
    const request = await pendingFor({ credentialId });
    expect(await editCredential(owner, credentialId, { maxTtlSeconds: '60' })).toBe('Saved.');
    await expect(
      decideChangeRequest(await createPerson(['ADMIN']), {
        changeRequestId: request.id,
        version: 1,
        outcome: 'APPROVE',
        reason: 'Fine',
      }),
    ).rejects.toThrow(/changed since the request was made/);
    expect((await row(credentialId)).maxTtlSeconds).toBe(60);
  });

  it('a new credential cannot reach past the agent’s environments, in the console or through ingest', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const agent = await makeAgent(lead, { ownerId: owner.id, environments: ['DEV'] });
    const fields = { agentId: agent.id, name: 'prod-key', kind: 'API_KEY', issuance: 'STATIC', storage: 'CI_SECRET' };
    await expect(issueCredential(owner, { ...fields, environment: 'PROD' })).rejects.toMatchObject({
      fieldErrors: { environment: [expect.stringMatching(/Add the environment to the agent first/)] },
    });
    const { token } = await createToken(lead, { name: 'runner', scopes: ['events:write'], expiresInDays: 30 });
    const actor = await authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${token}` } }),
      'events:write',
    );
    const outcome = await ingestEvents(
      actor,
      {
        events: [
          {
            type: 'credential.issued',
            agent: { slug: agent.slug },
            credential: {
              name: 'prod-key',
              kind: 'API_KEY',
              issuance: 'STATIC',
              storage: 'CI_SECRET',
              environment: 'PROD',
            },
            occurredAt: new Date().toISOString(),
          },
        ],
      },
      { partial: false },
    );
    expect(outcome.status).toBe(422);
    expect(await getDb().credential.count({ where: { agentId: agent.id } })).toBe(0);
  });

  it('a broker re-reporting the credential as issued changes nothing about its binding', async () => {
    const { agent, credentialId } = await bound();
    const { id: tokenId, token } = await createToken(await createPerson(['ADMIN']), {
      name: 'broker',
      scopes: ['events:write'],
      expiresInDays: 30,
    });
    const actor = await authenticate(
      new Request('http://x', { headers: { authorization: `Bearer ${token}` } }),
      'events:write',
    );
    expect(actor.id).toBe(tokenId);
    await ingestEvents(
      actor,
      {
        events: [
          {
            type: 'credential.issued',
            agent: { slug: agent.slug },
            credential: { name: 'deploy-token', boundToWorkloadIdentity: false, privileged: true },
            occurredAt: new Date().toISOString(),
          },
        ],
      },
      { partial: false },
    );
    expect(await row(credentialId)).toMatchObject({ boundToWorkloadIdentity: true, privileged: false });
  });
});

describe('purposes bound what credentials may do', () => {
  it('a credential reaching a system no approved purpose names is scope drift; the agent page says so', async () => {
    const lead = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    // The approved purpose covers github in PROD.
    const agent = await makeActiveAgent(lead, { ownerId: owner.id, riskTier: 'HIGH' });
    const issue = (name: string, scope: string) =>
      issueCredential(owner, {
        agentId: agent.id,
        name,
        kind: 'API_KEY',
        issuance: 'STATIC',
        storage: 'VAULT_OR_BROKER',
        environment: 'PROD',
        scope,
      });
    const covered = await issue('gh-token', 'GitHub:repo-read');
    const drifted = await issue('jira-token', 'github:read, jira:write');
    const flagged = (await evaluateRule(getDb(), ruleById('scope-drift')!)).filter((f) => f.agentId === agent.id);
    expect(flagged.map((f) => f.credentialId)).toEqual([drifted.id]);
    expect(flagged[0]!.detail).toContain('jira:write');
    const rows = await listAgentCredentials(lead, agent.id);
    expect(rows.find((r) => r.id === covered.id)!.coveredBy).toMatchObject({ task: 'Ship releases' });
    expect(rows.find((r) => r.id === drifted.id)!.coveredBy).toBeNull();
  });
});
