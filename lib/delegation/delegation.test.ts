import { expect, it } from 'vitest';
import { changeAgentStatus } from '@/lib/agents/commands';
import type { Actor } from '@/lib/authz';
import { issueCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden } from '@/lib/errors';
import { decideIssuance } from '@/lib/issuance/decide';
import type { DecisionResult } from '@/lib/issuance/schema';
import { assignOwner } from '@/lib/ownership/commands';
import { evaluateRule } from '@/lib/policy/evaluate';
import { ruleById } from '@/lib/policy/rules';
import { addPurpose, approvePurpose } from '@/lib/purposes/commands';
import { changeSetting } from '@/lib/settings/commands';
import { makeActiveAgent } from '@/lib/testing/agents';
import { postDecisionAs } from '@/lib/testing/issuance';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { createToken } from '@/lib/tokens/commands';
import { approveDelegation, expireDueDelegations, requestDelegation, revokeDelegation } from './commands';
import { delegationNeighbourhood, listAgentDelegations } from './queries';

type Link = { owner: Actor; agent: { id: string; slug: string; workloadIdentity: string | null } };

/** Agents 0..hops, each ACTIVE with its own owner; grant i lets agent i-1 act for agent i (github, in PROD). */
async function chainOf(hops: number, tasks = 'github') {
  const admin = await createPerson(['ADMIN']);
  const links: Link[] = [];
  for (let i = 0; i <= hops; i++) {
    const owner = await createPerson(['OWNER']);
    const slug = `chain-${i}-${Math.random().toString(36).slice(2, 8)}`;
    const agent = await makeActiveAgent(admin, {
      ownerId: owner.id,
      slug,
      riskTier: 'MEDIUM',
      workloadIdentity: `spiffe://example.com/agents/${slug}`,
    });
    links.push({ owner, agent });
  }
  const grants: string[] = [];
  for (let i = 1; i <= hops; i++) {
    const { id } = await requestDelegation(links[i - 1]!.owner, {
      delegateId: links[i - 1]!.agent.id,
      principal: links[i]!.agent.slug,
      tasks,
      environments: ['PROD'],
      days: 7,
      justification: 'The release pipeline',
    });
    await approveDelegation(links[i]!.owner, { grantId: id, reason: 'Our pipeline' });
    grants.push(id);
  }
  const [asker, ...acted] = links;
  const ask = {
    agentId: asker!.agent.id,
    kind: 'OAUTH_TOKEN',
    scope: 'github:write',
    task: 'github',
    environment: 'PROD',
    ttlSeconds: '600',
    onBehalfOf: acted.map((l) => l.agent.slug).join(', '),
  };
  const decide = async (changes: Record<string, string> = {}) =>
    decideIssuance({ ...ask, ...changes }, { record: false, actor: admin });
  return { admin, links, grants, ask, decide };
}

const failing = (r: DecisionResult) => r.reasons.map((x) => `${x.rule}@${x.hop ?? 0}`);

describeWithPostgresServer('agent-to-agent delegation', () => {
  it('allows a three-hop chain through the API, records the hops, and narrows to the grants and tiers', async () => {
    const { admin, links, grants } = await chainOf(3);
    const { token } = await createToken(admin, { name: 'chain-broker', scopes: ['decisions:check'], expiresInDays: 9 });
    const response = await postDecisionAs(token, {
      workloadIdentity: links[0]!.agent.workloadIdentity,
      credential: { kind: 'OAUTH_TOKEN', scope: 'github:write' },
      task: 'github',
      environment: 'PROD',
      ttlSeconds: 600,
      onBehalfOf: links.slice(1).map((l) => l.agent.workloadIdentity),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as DecisionResult;
    expect(body).toMatchObject({ decision: 'allow', reasons: [] });
    expect(body.constraints!.scope).toEqual(['github:write']);
    expect(body.constraints!.onBehalfOf.map((h) => [h.agent, h.grantId])).toEqual(
      links.slice(1).map((l, i) => [l.agent.slug, grants[i]]),
    );
    const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: BigInt(body.seq!) } });
    expect(event.details).toMatchObject({ decision: 'allow', onBehalfOf: links.slice(1).map((l) => l.agent.slug) });
  });

  it('denies the same chain when the middle grant expires, naming the hop, and the sweep records it once', async () => {
    const { decide, grants } = await chainOf(3);
    expect((await decide()).decision).toBe('allow');
    // Time passes: the middle grant's expiry is behind us, before any sweeper has run.
    await getDb().delegationGrant.update({
      where: { id: grants[1] },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const denied = await decide();
    expect(failing(denied)).toEqual(['delegation-granted@2']);
    expect(denied.reasons[0]!.sentence).toContain('expired');
    expect(await expireDueDelegations()).toBeGreaterThanOrEqual(1);
    expect(await getDb().delegationGrant.findUniqueOrThrow({ where: { id: grants[1] } })).toMatchObject({
      status: 'EXPIRED',
    });
    expect(failing(await decide())).toEqual(['delegation-granted@2']);
  });

  it('denies the chain when the middle agent is suspended, and when the task is outside one grant', async () => {
    const { admin, links, decide } = await chainOf(3);
    const middle = links[2]!.agent;
    const { version } = await getDb().agent.findUniqueOrThrow({ where: { id: middle.id } });
    await changeAgentStatus(admin, { id: middle.id, version, to: 'SUSPENDED', reason: 'Incident' });
    const suspended = await decide();
    expect(failing(suspended)).toEqual(['agent-active@2']);
    expect(suspended.reasons[0]!.sentence).toContain(middle.slug);

    const narrow = await chainOf(3);
    // The last grant names only deploy: asking for github on its behalf fails at hop 3, and nowhere else.
    const { id } = await requestDelegation(narrow.links[2]!.owner, {
      delegateId: narrow.links[2]!.agent.id,
      principal: narrow.links[3]!.agent.slug,
      tasks: 'deploy',
      environments: ['PROD'],
      days: 3,
      justification: 'Only deploys',
    });
    await approveDelegation(narrow.links[3]!.owner, { grantId: id, reason: 'Deploys only' });
    await revokeDelegation(narrow.links[3]!.owner, { grantId: narrow.grants[2]!, reason: 'Narrowed to deploys' });
    const outside = await narrow.decide();
    expect(failing(outside)).toEqual(['delegation-task@3']);
    expect(outside.reasons[0]!.sentence).toContain('deploy');
    // An environment the grant does not cover fails at its hop too.
    const staging = await narrow.decide({ environment: 'STAGING' });
    expect(failing(staging)).toContain('delegation-environment@1');
  });

  it('refuses a cycle and a chain longer than the policy allows', async () => {
    const { admin, links, decide } = await chainOf(2);
    const cycle = await decide({ onBehalfOf: `${links[1]!.agent.slug}, ${links[0]!.agent.slug}` });
    expect(failing(cycle)).toContain('delegation-chain@2');
    expect(cycle.decision).toBe('deny');
    const twice = await decide({ onBehalfOf: `${links[1]!.agent.slug} ${links[1]!.agent.slug}` });
    expect(failing(twice)).toContain('delegation-chain@2');
    const unknown = await decide({ onBehalfOf: 'no-such-agent' });
    expect(failing(unknown)).toEqual(['delegation-chain@1']);
    const version = (await getDb().setting.findUnique({ where: { key: 'delegation' } }))?.version ?? 0;
    // Fewer hops tightens: it applies at once. More loosens: it waits for a second lead, and nothing changes.
    await changeSetting(admin, { key: 'delegation', version: String(version), maxDays: '30', maxHops: '1' });
    try {
      expect(failing(await decide())).toEqual(['delegation-chain@0']);
      const raised = await changeSetting(admin, {
        key: 'delegation',
        version: String(version + 1),
        maxDays: '30',
        maxHops: '5',
      });
      expect(raised).toMatch(/Pending approval/);
      expect(failing(await decide())).toEqual(['delegation-chain@0']);
    } finally {
      // The test's own clean-up, as the owner would: the other tests read the default.
      await getDb().setting.deleteMany({ where: { key: 'delegation' } });
    }
  });

  it('narrows a new credential to what every agent may reach; refuses a recorded one that reaches more', async () => {
    const { admin, links, decide } = await chainOf(1);
    const asker = links[0]!;
    const { id: purposeId } = await addPurpose(admin, {
      agentId: asker.agent.id,
      task: 'github',
      scope: 'github, jira',
      environments: ['PROD'],
    });
    await approvePurpose(await createPerson(['ADMIN']), { purposeId, version: 1 });
    // The asker may reach github and jira; the agent it acts for only github.
    const narrowed = await decide({ scope: 'github:write, jira:read' });
    expect(narrowed.decision).toBe('allow');
    expect(narrowed.constraints!.scope).toEqual(['github:write']);
    const { id: credentialId } = await issueCredential(asker.owner, {
      agentId: asker.agent.id,
      name: 'wide-token',
      kind: 'OAUTH_TOKEN',
      issuance: 'DYNAMIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'PROD',
      scope: 'github:write, jira:read',
      maxTtlSeconds: '900',
    });
    const recorded = await decideIssuance(
      {
        agentId: asker.agent.id,
        credentialId,
        task: 'github',
        environment: 'PROD',
        ttlSeconds: '600',
        onBehalfOf: links[1]!.agent.slug,
      },
      { record: false, actor: admin },
    );
    expect(failing(recorded)).toEqual(['delegation-scope@1']);
    expect(recorded.reasons[0]!.sentence).toContain('jira:read');
  });

  it('ends the TTL with the first grant relied on', async () => {
    const { decide, grants } = await chainOf(2);
    const soon = new Date(Date.now() + 120_000);
    await getDb().delegationGrant.update({ where: { id: grants[1] }, data: { expiresAt: soon } });
    const allowed = await decide();
    expect(allowed.decision).toBe('allow');
    expect(allowed.constraints!.maxTtlSeconds).toBeLessThanOrEqual(120);
    expect(new Date(allowed.constraints!.validUntil).getTime()).toBeLessThanOrEqual(soon.getTime());
  });

  it('never lets the person who asked approve, however the ownership moves', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const other = await createPerson(['OWNER']);
    const mine = await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'LOW' });
    const theirs = await makeActiveAgent(admin, { ownerId: other.id, riskTier: 'LOW' });
    const ask = { delegateId: mine.id, principal: theirs.slug, tasks: 'github', environments: ['PROD'], days: 5 };
    const { id } = await requestDelegation(owner, { ...ask, justification: 'Needs their repo' });
    await expect(approveDelegation(owner, { grantId: id, reason: 'Mine' })).rejects.toThrow(Forbidden);
    // A security lead is not the approver while the principal's owner is someone else.
    await expect(approveDelegation(admin, { grantId: id, reason: 'Lead' })).rejects.toThrow(Forbidden);
    // The requester becomes the principal's owner: still not theirs to approve; a lead approves instead.
    const { version } = await getDb().agent.findUniqueOrThrow({ where: { id: theirs.id } });
    await assignOwner(admin, { agentId: theirs.id, version, userId: owner.id });
    await expect(approveDelegation(owner, { grantId: id, reason: 'Now mine' })).rejects.toThrow(Forbidden);
    await expect(approveDelegation(other, { grantId: id, reason: 'Not mine any more' })).rejects.toThrow(Forbidden);
    // A lead who owns one of the agents is not independent either.
    const owningLead = await createPerson(['ADMIN']);
    const { version: v2 } = await getDb().agent.findUniqueOrThrow({ where: { id: mine.id } });
    await assignOwner(admin, { agentId: mine.id, version: v2, userId: owningLead.id });
    await expect(approveDelegation(owningLead, { grantId: id, reason: 'Mine too' })).rejects.toThrow(Forbidden);
    const lead = await createPerson(['ADMIN']);
    await approveDelegation(lead, { grantId: id, reason: 'Owner asked: a lead decides' });
    await expect(approveDelegation(lead, { grantId: id, reason: 'Twice' })).rejects.toThrow(Conflict);
    const grant = await getDb().delegationGrant.findUniqueOrThrow({ where: { id } });
    expect(grant).toMatchObject({ status: 'APPROVED', approvedById: lead.id, requestedById: owner.id });
    // The database refuses a row approved by its requester, whatever writes it.
    await expect(getDb().delegationGrant.update({ where: { id }, data: { approvedById: owner.id } })).rejects.toThrow();
  });

  it('an agent does not act for itself; an owner asks only from agents they own; requests wait once', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const stranger = await createPerson(['OWNER']);
    const a = await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'LOW' });
    const b = await makeActiveAgent(admin, { ownerId: stranger.id, riskTier: 'LOW' });
    const ask = { tasks: 'github', environments: ['PROD'], days: 5, justification: 'Pipeline' };
    await expect(requestDelegation(owner, { ...ask, delegateId: a.id, principal: a.slug })).rejects.toMatchObject({
      fieldErrors: { principal: ['Name another agent.'] },
    });
    await expect(requestDelegation(stranger, { ...ask, delegateId: a.id, principal: b.slug })).rejects.toThrow(
      Forbidden,
    );
    await expect(
      requestDelegation(owner, { ...ask, delegateId: a.id, principal: b.slug, days: 31 }),
    ).rejects.toMatchObject({ fieldErrors: { days: ['At most 30 days.'] } });
    const before = await getDb().delegationGrant.count();
    const { id } = await requestDelegation(owner, { ...ask, delegateId: a.id, principal: b.slug });
    await expect(requestDelegation(owner, { ...ask, delegateId: a.id, principal: b.slug })).rejects.toThrow(Conflict);
    expect(await getDb().delegationGrant.count()).toBe(before + 1);
    expect(await getDb().auditEvent.count({ where: { agentId: b.id, action: 'delegation.requested' } })).toBe(1);
    // A request alone burdens nobody else's agent: the principal's review opens when the grant comes into force.
    const openReview = () => getDb().review.findFirst({ where: { agentId: b.id, completedAt: null } });
    expect(await openReview()).toBeNull();
    await approveDelegation(stranger, { grantId: id, reason: 'Fine by me' });
    expect((await openReview())?.triggers).toContain('DELEGATION_CHANGED');
    // The database refuses a grant from an agent to itself, whatever writes it.
    await expect(getDb().delegationGrant.update({ where: { id }, data: { principalId: a.id } })).rejects.toThrow();
  });

  it('one person owning both agents never approves alone; nor is a request whose asker left', async () => {
    const admin = await createPerson(['ADMIN']);
    const alice = await createPerson(['OWNER']);
    const d = await makeActiveAgent(admin, { ownerId: alice.id, riskTier: 'LOW' });
    const p = await makeActiveAgent(admin, { ownerId: alice.id, riskTier: 'LOW' });
    const ask = { tasks: 'github', environments: ['PROD'], days: 5, justification: 'Pipeline' };
    // A lead asks for Alice's two agents: Alice, owning both, may not approve it alone.
    const { id } = await requestDelegation(admin, { ...ask, delegateId: d.id, principal: p.slug });
    await expect(approveDelegation(alice, { grantId: id, reason: 'Both mine' })).rejects.toThrow(
      /One person owns both agents/,
    );
    // Its requester leaves before anyone decides: nobody approves it on their word any more.
    await getDb().user.update({ where: { id: admin.id }, data: { active: false } });
    await expect(approveDelegation(await createPerson(['ADMIN']), { grantId: id, reason: 'Late' })).rejects.toThrow(
      /has left/,
    );
  });

  it('lapses a request nobody decides within the longest grant, once', async () => {
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const [a, b] = [
      await makeActiveAgent(admin, { ownerId: owner.id, riskTier: 'LOW' }),
      await makeActiveAgent(admin, { ownerId: admin.id, riskTier: 'LOW' }),
    ];
    const { id } = await requestDelegation(owner, {
      delegateId: a.id,
      principal: b.slug,
      tasks: 'github',
      environments: ['PROD'],
      days: 5,
      justification: 'Pipeline',
    });
    const asked = new Date(Date.now() - 31 * 86_400_000);
    await getDb().delegationGrant.update({ where: { id }, data: { createdAt: asked } });
    await Promise.all([expireDueDelegations(), expireDueDelegations()]);
    await expireDueDelegations();
    const events = await getDb().auditEvent.findMany({
      where: { action: 'delegation.expired', details: { path: ['grantId'], equals: id } },
    });
    expect(events).toHaveLength(1);
    expect(events[0]!.details).toMatchObject({ undecided: true });
    await expect(approveDelegation(admin, { grantId: id, reason: 'Too late' })).rejects.toThrow(Conflict);
  });

  it('a grant lends only the tools it names, and a static credential never passes through a HIGH agent', async () => {
    const admin = await createPerson(['ADMIN']);
    const [o1, o2] = [await createPerson(['OWNER']), await createPerson(['OWNER'])];
    const asker = await makeActiveAgent(admin, {
      ownerId: o1.id,
      riskTier: 'LOW',
      workloadIdentity: `spiffe://example.com/agents/reader-${Date.now()}`,
    });
    const high = await makeActiveAgent(admin, { ownerId: o2.id, riskTier: 'HIGH' });
    const { id } = await requestDelegation(o1, {
      delegateId: asker.id,
      principal: high.slug,
      tasks: 'github:read',
      environments: ['PROD'],
      days: 5,
      justification: 'Reads repositories',
    });
    await approveDelegation(o2, { grantId: id, reason: 'Read only' });
    const ask = { agentId: asker.id, task: 'github:read', environment: 'PROD', ttlSeconds: '300' };
    const dry = (more: Record<string, string>) =>
      decideIssuance({ ...ask, onBehalfOf: high.slug, ...more }, { record: false, actor: admin });
    // Both purposes name github (any permission), but the grant lends only github:read.
    const wider = await dry({ kind: 'OAUTH_TOKEN', scope: 'github:admin' });
    expect(failing(wider)).toEqual(['delegation-scope@1']);
    const narrowed = await dry({ kind: 'OAUTH_TOKEN', scope: 'github:read, github:admin' });
    expect(narrowed.decision).toBe('allow');
    expect(narrowed.constraints!.scope).toEqual(['github:read']);
    const { id: credentialId } = await issueCredential(o1, {
      agentId: asker.id,
      name: 'static-read',
      kind: 'API_KEY',
      issuance: 'STATIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'PROD',
      scope: 'github:read',
    });
    expect(failing(await dry({ credentialId }))).toEqual(['no-static-for-high-risk@1']);
  });

  it('a broker token learns nothing about agents beyond its reach through a chain', async () => {
    const { admin, links } = await chainOf(1);
    const asker = links[0]!.agent;
    const { token } = await createToken(admin, {
      name: 'narrow-broker',
      scopes: ['decisions:check'],
      expiresInDays: 9,
      agentScope: 'LIST',
      agents: asker.slug,
    });
    const ask = (onBehalfOf: string[]) =>
      postDecisionAs(token, {
        workloadIdentity: asker.workloadIdentity,
        credential: { kind: 'OAUTH_TOKEN', scope: 'github:write' },
        task: 'github',
        environment: 'PROD',
        ttlSeconds: 600,
        onBehalfOf,
      }).then((r) => r.json() as Promise<DecisionResult>);
    const outside = await ask([links[1]!.agent.slug]);
    const missing = await ask(['no-such-agent']);
    expect(failing(outside)).toEqual(['delegation-chain@1']);
    expect(outside.reasons[0]!.sentence.replace(links[1]!.agent.slug, 'X')).toBe(
      missing.reasons[0]!.sentence.replace('no-such-agent', 'X'),
    );
  });

  it('either owner or a security lead revokes; nobody else; a revoked grant denies at its hop', async () => {
    const { links, grants, decide } = await chainOf(2);
    const stranger = await createPerson(['OWNER']);
    await expect(revokeDelegation(stranger, { grantId: grants[0]!, reason: 'Not mine' })).rejects.toThrow(Forbidden);
    await revokeDelegation(links[0]!.owner, { grantId: grants[0]!, reason: 'No longer needed' });
    await expect(revokeDelegation(links[1]!.owner, { grantId: grants[0]!, reason: 'Again' })).rejects.toThrow(Conflict);
    const denied = await decide();
    expect(failing(denied)).toEqual(['delegation-granted@1']);
    expect(denied.reasons[0]!.sentence).toContain('revoked');
    await revokeDelegation(await createPerson(['ADMIN']), { grantId: grants[1]!, reason: 'Lead ends it' });
    expect(failing(await decide())).toEqual(['delegation-granted@1', 'delegation-granted@2']);
  });

  it('expires each grant exactly once under two concurrent sweepers', async () => {
    const { grants } = await chainOf(3);
    const past = new Date(Date.now() - 60_000);
    await getDb().delegationGrant.updateMany({ where: { id: { in: grants } }, data: { expiresAt: past } });
    const counts = await Promise.all([expireDueDelegations(), expireDueDelegations()]);
    // Others' grants from earlier tests may be due too: ours are each claimed once between the two.
    expect(counts[0] + counts[1]).toBeGreaterThanOrEqual(grants.length);
    await expireDueDelegations();
    for (const id of grants) {
      const events = await getDb().auditEvent.findMany({
        where: { action: 'delegation.expired', details: { path: ['grantId'], equals: id } },
      });
      expect(events).toHaveLength(1);
      expect(events[0]!.occurredAt).toEqual(past);
    }
    expect(await getDb().delegationGrant.count({ where: { id: { in: grants }, status: 'EXPIRED' } })).toBe(3);
  });

  it('shows the neighbourhood two hops each way; flags a grant whose principal’s owner left', async () => {
    const { links, admin } = await chainOf(3);
    const [a, b, c, d] = links.map((l) => l.agent);
    const graph = await delegationNeighbourhood(admin, b!.id);
    // b acts for c (and c for d); a acts for b. Columns: delegates left, principals right.
    expect(Object.fromEntries(graph.nodes.map((n) => [n.slug, n.column]))).toEqual({
      [a!.slug]: -1,
      [b!.slug]: 0,
      [c!.slug]: 1,
      [d!.slug]: 2,
    });
    expect(graph.edges).toHaveLength(3);
    const { actsFor, actedForBy } = await listAgentDelegations(admin, b!.id);
    expect(actsFor.map((g) => [g.other.slug, g.status])).toEqual([[c!.slug, 'APPROVED']]);
    expect(actedForBy.map((g) => [g.other.slug, g.status])).toEqual([[a!.slug, 'APPROVED']]);
    // The principal's owner leaves: the grant in force is lent by nobody who answers for it.
    const flagged = async () =>
      (await evaluateRule(getDb(), ruleById('delegation-orphaned')!)).filter((f) => f.agentId === c!.id);
    expect(await flagged()).toEqual([]);
    await getDb().user.update({ where: { id: links[3]!.owner.id }, data: { active: false } });
    expect((await flagged()).map((f) => f.detail)).toEqual([`May act for ${d!.slug}, whose owner has left`]);
  });
});
