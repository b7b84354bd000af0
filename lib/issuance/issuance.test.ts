import { expect, it } from 'vitest';
import { POST as postEvents } from '@/app/api/v1/events/route';
import { GET as openapi } from '@/app/api/v1/openapi.json/route';
import { changeAgentStatus } from '@/lib/agents/commands';
import type { Actor } from '@/lib/authz';
import { issueCredential, revokeCredential, rotateCredential, updateCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { clearEscalationContact, setEscalationContact } from '@/lib/escalation/commands';
import { decideException, requestException } from '@/lib/exceptions/commands';
import { assignOwner } from '@/lib/ownership/commands';
import { evaluateRule } from '@/lib/policy/evaluate';
import { ruleById } from '@/lib/policy/rules';
import { changeSetting } from '@/lib/settings/commands';
import { postDecisionAs, readyGate } from '@/lib/testing/issuance';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { createToken } from '@/lib/tokens/commands';
import { deactivateUser } from '@/lib/users/commands';
import { decideIssuance } from './decide';

const report = (token: string, events: unknown[]) =>
  postEvents(
    new Request('http://localhost/api/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ events }),
    }),
  );

const version = async (id: string) => (await getDb().agent.findUniqueOrThrow({ where: { id } })).version;
const rulesOf = (body: { reasons: { rule: string }[] }) => body.reasons.map((r) => r.rule);

describeWithPostgresServer('the issuance gate', () => {
  it('allows a ready agent and records the decision with the owners at the time', async () => {
    const { token, ask, agent, credentialId, tokenId, owner } = await readyGate();
    const response = await postDecisionAs(token, ask);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toMatchObject({
      decision: 'allow',
      reasons: [],
      agent: { riskTier: 'HIGH' },
      constraints: { maxTtlSeconds: 900, justInTime: true, exception: null },
    });
    const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: BigInt(body.seq) } });
    expect(event).toMatchObject({
      action: 'issuance.decided',
      actorType: 'API_TOKEN',
      actorId: tokenId,
      agentId: agent.id,
      credentialId,
      details: { decisionId: body.id, decision: 'allow', task: 'github', ttlSeconds: 600, reasons: [] },
      owners: { accountable: { id: owner.id } },
    });
    expect(await getDb().issuanceDecision.findUniqueOrThrow({ where: { id: body.id } })).toMatchObject({
      allowed: true,
      credentialId,
      validUntil: new Date(new Date(body.decidedAt).getTime() + 600_000),
    });
  });

  it('no active owner (the owner left): denied with the reason recorded; a new owner makes it allow', async () => {
    const { token, ask, admin, owner, agent } = await readyGate();
    const person = await getDb().user.findUniqueOrThrow({ where: { id: owner.id } });
    await deactivateUser(admin, { userId: owner.id, version: person.version, reason: 'Left the company' });
    const denied = await (await postDecisionAs(token, ask)).json();
    expect(denied.decision).toBe('deny');
    expect(rulesOf(denied)).toEqual(['owner-active']);
    expect(denied.reasons[0].fix).toMatch(/Assign an active accountable owner/);
    const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: BigInt(denied.seq) } });
    expect(event.details).toMatchObject({ decision: 'deny', reasons: [{ rule: 'owner-active' }] });
    await assignOwner(admin, { agentId: agent.id, version: String(await version(agent.id)), userId: admin.id });
    expect((await (await postDecisionAs(token, ask)).json()).decision).toBe('allow');
  });

  it('denies a task no approved purpose covers, and a purpose not yet approved does not count', async () => {
    const { token, ask, agent } = await readyGate();
    await getDb().purpose.create({
      data: { agentId: agent.id, task: 'Triage issues', scope: ['jira'], environments: ['PROD'], status: 'PENDING' },
    });
    const body = await (await postDecisionAs(token, { ...ask, task: 'jira' })).json();
    expect(body.decision).toBe('deny');
    expect(rulesOf(body)).toEqual(['purpose-covers']);
  });

  it('denies while the lifecycle review is overdue', async () => {
    const { token, ask, agent } = await readyGate();
    await getDb().agent.update({ where: { id: agent.id }, data: { nextReviewDue: new Date(Date.now() - 60_000) } });
    expect(rulesOf(await (await postDecisionAs(token, ask)).json())).toEqual(['review-current']);
  });

  it('denies a CRITICAL agent whose escalation contact reaches nobody (read live at each decision)', async () => {
    const { token, ask, agent, admin } = await readyGate('CRITICAL');
    // A CRITICAL agent in service cannot lose its contact through the command; its only contact, a person, can leave.
    const oncall = await createPerson(['OWNER'], { name: 'Solo on-call' });
    await setEscalationContact(admin, {
      agentId: agent.id,
      version: await version(agent.id),
      name: 'Solo on-call',
      userId: oncall.id,
      coverage: '24/7',
    });
    expect((await (await postDecisionAs(token, ask)).json()).decision).toBe('allow');
    const person = await getDb().user.findUniqueOrThrow({ where: { id: oncall.id } });
    await deactivateUser(admin, { userId: oncall.id, version: person.version, reason: 'Left the company' });
    const body = await (await postDecisionAs(token, ask)).json();
    expect(body.decision).toBe('deny');
    expect(rulesOf(body)).toEqual(['escalation-reachable']);
    await expect(
      clearEscalationContact(admin, { agentId: agent.id, version: await version(agent.id) }),
    ).rejects.toThrow(/keeps an escalation contact/);
  });

  it('static on CRITICAL: denied, then allowed under a break-glass with the TTL capped to its end', async () => {
    const { token, ask, agent, owner } = await readyGate('CRITICAL');
    const { id: staticId } = await issueCredential(owner, {
      agentId: agent.id,
      name: 'deploy-key',
      kind: 'API_KEY',
      issuance: 'STATIC',
      storage: 'VAULT_OR_BROKER',
      secretRef: `vault:kv/prod/deploy-key`,
      environment: 'PROD',
      scope: 'github',
    });
    const staticAsk = { ...ask, credential: { id: staticId }, ttlSeconds: 900 };
    const denied = await (await postDecisionAs(token, staticAsk)).json();
    expect(rulesOf(denied)).toEqual(['no-static-for-high-risk']);

    // An exception for another deviation, one approver and a week long, does not unlock a static key: a broad scope
    // or "other" is not a break-glass, which on CRITICAL takes two approvers, an hour's window and a review after.
    for (const type of ['BROAD_SCOPE', 'OTHER', 'CACHED_SECRET'] as const) {
      const other = await requestException(owner, {
        agentId: agent.id,
        credentialIds: [staticId],
        type,
        justification: 'Wider access for the migration',
        durationHours: 24,
      });
      await decideException(await createPerson(['PAM_APPROVER']), {
        exceptionId: other.id,
        outcome: 'APPROVE',
        reason: 'Fine',
      });
      expect(rulesOf(await (await postDecisionAs(token, staticAsk)).json()), type).toEqual(['no-static-for-high-risk']);
    }
    // A persistent token does unlock one, and so on a CRITICAL agent it takes two approvers, as a break-glass does.
    const persistent = await requestException(owner, {
      agentId: agent.id,
      credentialIds: [staticId],
      type: 'PERSISTENT_TOKEN',
      justification: 'A vendor integration that cannot rotate yet',
      durationHours: 24,
    });
    expect(persistent.requiredApprovals).toBe(2);
    expect(
      await decideException(await createPerson(['PAM_APPROVER']), {
        exceptionId: persistent.id,
        outcome: 'APPROVE',
        reason: 'Vendor confirmed',
      }),
    ).toMatchObject({ status: 'PENDING', approvals: 1 });
    expect(rulesOf(await (await postDecisionAs(token, staticAsk)).json())).toEqual(['no-static-for-high-risk']);

    const bg = await requestException(owner, {
      agentId: agent.id,
      credentialIds: [staticId],
      type: 'BREAK_GLASS',
      justification: 'Prod outage',
      durationHours: 1,
    });
    for (const approver of [await createPerson(['PAM_APPROVER']), await createPerson(['PAM_APPROVER'])]) {
      await decideException(approver, { exceptionId: bg.id, outcome: 'APPROVE', reason: 'Incident confirmed' });
    }
    // Ten minutes left of the break-glass: the allow is capped to its end.
    const ends = new Date(Date.now() + 600_000);
    await getDb().exception.update({ where: { id: bg.id }, data: { expiresAt: ends } });
    const allowed = await (await postDecisionAs(token, staticAsk)).json();
    expect(allowed).toMatchObject({
      decision: 'allow',
      constraints: { justInTime: false, exception: { id: bg.id, type: 'BREAK_GLASS', endsAt: ends.toISOString() } },
    });
    expect(allowed.constraints.maxTtlSeconds).toBeGreaterThan(590);
    expect(allowed.constraints.maxTtlSeconds).toBeLessThanOrEqual(600);
    expect(new Date(allowed.constraints.validUntil).getTime()).toBeLessThanOrEqual(ends.getTime());
  });

  it('a retry with the same Idempotency-Key returns the first answer and records nothing twice', async () => {
    const { token, ask, agent, tokenId } = await readyGate();
    const first = await (await postDecisionAs(token, ask, 'retry-1')).json();
    const again = await postDecisionAs(token, ask, 'retry-1');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(first);
    const events = await getDb().auditEvent.count({ where: { agentId: agent.id, action: 'issuance.decided' } });
    expect(events).toBe(1);
    const other = await postDecisionAs(token, { ...ask, ttlSeconds: 60 }, 'retry-1');
    expect(other.status).toBe(409);
    expect(await getDb().issuanceDecision.count({ where: { tokenId } })).toBe(1);
  });

  it('a retry after the agent was suspended does not hand out the first allow again', async () => {
    const { token, ask, agent, admin, tokenId } = await readyGate();
    const first = await (await postDecisionAs(token, ask, 'before-suspension')).json();
    expect(first.decision).toBe('allow');
    await changeAgentStatus(admin, { id: agent.id, version: await version(agent.id), to: 'SUSPENDED', reason: 'Leak' });
    const again = await postDecisionAs(token, ask, 'before-suspension');
    expect(again.status).toBe(409);
    expect((await again.json()).detail).toMatch(/no longer holds: ask again with a new key/);
    expect(await getDb().issuanceDecision.count({ where: { tokenId } })).toBe(1);
  });

  it('the owner cannot lengthen the gate’s TTL maximum by marking a credential no longer privileged', async () => {
    const { token, ask, agent, owner, slug } = await readyGate('MEDIUM');
    const { id: credentialId } = await issueCredential(owner, {
      agentId: agent.id,
      name: 'admin-token',
      kind: 'OAUTH_TOKEN',
      issuance: 'DYNAMIC',
      storage: 'VAULT_OR_BROKER',
      secretRef: `vault:github/${slug}-admin`,
      environment: 'PROD',
      scope: 'github:write',
      privileged: 'on',
    });
    const asked = { ...ask, credential: { id: credentialId } };
    const cap = async () => (await (await postDecisionAs(token, asked)).json()).constraints.maxTtlSeconds;
    expect(await cap()).toBe(3600);
    const record = await getDb().credential.findUniqueOrThrow({ where: { id: credentialId } });
    const reply = await updateCredential(owner, {
      credentialId,
      version: String(record.version),
      storage: record.storage,
      secretRef: record.secretRef,
      scope: record.scope,
    });
    expect(reply).toMatch(/Pending approval: a longer TTL, privilege/);
    expect((await getDb().credential.findUniqueOrThrow({ where: { id: credentialId } })).privileged).toBe(true);
    expect(await cap()).toBe(3600);
  });

  it('a token scoped to other agents is refused with 403 and nothing is recorded', async () => {
    const { ask, admin, agent } = await readyGate();
    const elsewhere = await readyGate();
    const { token } = await createToken(admin, {
      name: 'other-broker',
      scopes: ['decisions:check'],
      expiresInDays: 30,
      agentScope: 'LIST',
      agents: elsewhere.slug,
    });
    const before = await getDb().auditEvent.count();
    const response = await postDecisionAs(token, ask);
    expect(response.status).toBe(403);
    const refusal = (await response.json()).detail;
    expect(refusal).toMatch(/does not reach the agent with this workload identity/);
    expect(refusal).not.toContain(ask.workloadIdentity.split('/').at(-1));
    // An identity no agent holds is outside a list-scoped token too, with the same answer: nothing to enumerate.
    const unknown = await postDecisionAs(token, { ...ask, workloadIdentity: 'spiffe://example.com/nobody' });
    expect(unknown.status).toBe(403);
    expect((await unknown.json()).detail).toBe(refusal);
    expect(await getDb().auditEvent.count()).toBe(before);
    expect(await getDb().issuanceDecision.count({ where: { agentId: agent.id } })).toBe(0);
  });

  it('an owner’s token decides only for agents they own; an unknown identity is a recorded deny', async () => {
    const { ask, owner } = await readyGate();
    await getDb().user.update({ where: { id: owner.id }, data: { roles: ['OWNER', 'ADMIN'] } });
    const asLead: Actor = { ...owner, roles: ['OWNER', 'ADMIN'] };
    const { token } = await createToken(asLead, {
      name: 'owner-broker',
      scopes: ['decisions:check'],
      expiresInDays: 30,
    });
    await getDb().user.update({ where: { id: owner.id }, data: { roles: ['OWNER'] } });
    const other = await readyGate();
    expect((await postDecisionAs(token, other.ask)).status).toBe(403);
    expect((await (await postDecisionAs(token, ask)).json()).decision).toBe('allow');
    const unknown = await (
      await postDecisionAs(token, { ...ask, workloadIdentity: 'spiffe://example.com/nobody' })
    ).json();
    expect(unknown).toMatchObject({ decision: 'deny', agent: null, reasons: [{ rule: 'identity-resolves' }] });
  });

  it('bad input is a 422 naming the field, and nothing is recorded', async () => {
    const { token, ask } = await readyGate();
    const before = await getDb().auditEvent.count();
    for (const bad of [
      { ...ask, ttlSeconds: 0 },
      { ...ask, ttlSeconds: '600' },
      { ...ask, environment: 'MARS' },
      { ...ask, credential: {} },
      { ...ask, workloadIdentity: 'has space' },
      { ...ask, extra: true },
    ]) {
      const response = await postDecisionAs(token, bad);
      expect(response.status, JSON.stringify(bad)).toBe(422);
      const problem = await response.json();
      expect(problem.errors.length, JSON.stringify(problem)).toBeGreaterThan(0);
    }
    expect(await getDb().auditEvent.count()).toBe(before);
  });

  it('the console’s dry run gives the same answer and records nothing', async () => {
    const { ask, agent, admin, credentialId } = await readyGate();
    const auditor = await createPerson(['AUDITOR']);
    const before = await getDb().auditEvent.count();
    const input = { agentId: agent.id, credentialId, task: ask.task, environment: 'PROD', ttlSeconds: '600' };
    const dryRun = (actor: Actor, ask: Record<string, unknown>) => decideIssuance(ask, { record: false, actor });
    expect(await dryRun(auditor, input)).toMatchObject({ decision: 'allow', seq: null });
    expect(await dryRun(admin, { ...input, task: 'jira' })).toMatchObject({
      decision: 'deny',
      reasons: [{ rule: 'purpose-covers' }],
    });
    expect(await getDb().auditEvent.count()).toBe(before);
  });

  it('a use by another workload: marked replay, a CRITICAL finding, and the gate then denies', async () => {
    const { token, ask, admin, owner, slug, credentialId, identity } = await readyGate();
    const allowed = await (await postDecisionAs(token, ask)).json();
    const { token: broker } = await createToken(admin, {
      name: 'runtime',
      scopes: ['events:write'],
      expiresInDays: 30,
    });
    const use = (workload: string, extra: Record<string, unknown> = {}) => ({
      type: 'credential.used',
      agent: { slug },
      credential: { id: credentialId },
      occurredAt: new Date().toISOString(),
      workload: { identity: workload, host: 'runner-7.ci.example.com', runtime: 'github-actions' },
      decisionId: allowed.id,
      ...extra,
    });
    const response = await report(broker, [use(identity), use('spiffe://example.com/agents/intruder')]);
    expect(response.status).toBe(201);
    const { events } = await response.json();
    const [own, replayed] = await Promise.all(
      events.map((e: { seq: string }) => getDb().auditEvent.findUniqueOrThrow({ where: { seq: BigInt(e.seq) } })),
    );
    expect(own.details).not.toHaveProperty('misuse');
    expect(own.details).toMatchObject({ workload: { identity, runtime: 'github-actions' }, decisionId: allowed.id });
    expect(replayed.details).toMatchObject({ misuse: ['replay-suspected'] });
    const findings = await evaluateRule(getDb(), ruleById('credential-replay-suspected')!);
    expect(findings.map((f) => f.credentialId)).toContain(credentialId);
    // The gate reads the agent's CRITICAL findings live: the next ask is denied until the credential is rotated.
    const next = await (await postDecisionAs(token, ask)).json();
    expect(next.decision).toBe('deny');
    expect(rulesOf(next)).toEqual(['no-critical-finding']);
    // The owner the finding blocks records a rotation alone: the finding stays, and so does the deny.
    await rotateCredential(owner, { credentialId, reason: 'Rotated, honest' });
    expect(rulesOf(await (await postDecisionAs(token, ask)).json())).toEqual(['no-critical-finding']);
    // Revoking the credential is what closes it.
    await revokeCredential(owner, { credentialId, reason: 'Replayed: replaced under a new name' });
    const open = await evaluateRule(getDb(), ruleById('credential-replay-suspected')!);
    expect(open.map((f) => f.credentialId)).not.toContain(credentialId);
  });

  it('a use after the decision’s TTL, and a gated credential used with no allowing decision, are marked', async () => {
    const { token, ask, admin, slug, owner, agent, identity } = await readyGate();
    const { id: gatedId } = await issueCredential(owner, {
      agentId: agent.id,
      name: 'gated-token',
      kind: 'OAUTH_TOKEN',
      issuance: 'DYNAMIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'PROD',
      scope: 'github',
      gated: 'on',
    });
    const { token: broker } = await createToken(admin, {
      name: 'runtime',
      scopes: ['events:write'],
      expiresInDays: 30,
    });
    const use = (at: Date, decisionId?: string) => ({
      type: 'credential.used',
      agent: { slug },
      credential: { id: gatedId },
      occurredAt: at.toISOString(),
      workload: { identity },
      ...(decisionId ? { decisionId } : {}),
    });
    // A use two minutes before the gate was asked (beyond any clock skew): no allowing decision covers it.
    const before = new Date(Date.now() - 120_000);
    const allowed = await (await postDecisionAs(token, { ...ask, credential: { id: gatedId }, ttlSeconds: 60 })).json();
    expect(allowed.decision).toBe('allow');
    const response = await report(broker, [
      use(before),
      use(new Date(Date.now() + 30_000), allowed.id),
      use(new Date(Date.now() + 120_000), allowed.id),
    ]);
    const { events } = await response.json();
    const marks = await Promise.all(
      events.map(async (e: { seq: string }) => {
        const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: BigInt(e.seq) } });
        return (event.details as { misuse?: string[] }).misuse ?? [];
      }),
    );
    expect(marks).toEqual([['no-allowing-decision'], [], ['after-decision-ttl']]);
    const flagged = async (rule: string) => (await evaluateRule(getDb(), ruleById(rule)!)).map((f) => f.credentialId);
    expect(await flagged('gated-credential-used-ungated')).toContain(gatedId);
    expect(await flagged('credential-used-after-decision')).toContain(gatedId);
    // The owner the gate constrains cannot take the credential around it alone: un-gating waits for a second lead.
    const record = await getDb().credential.findUniqueOrThrow({ where: { id: gatedId } });
    const reply = await updateCredential(owner, {
      credentialId: gatedId,
      version: String(record.version),
      storage: record.storage,
      scope: record.scope,
    });
    expect(reply).toMatch(/security lead/);
    expect((await getDb().credential.findUniqueOrThrow({ where: { id: gatedId } })).gated).toBe(true);
    expect(
      await getDb().changeRequest.count({
        where: { credentialId: gatedId, status: 'PENDING', kind: 'CREDENTIAL_LOOSENING' },
      }),
    ).toBe(1);
  });

  it('a new credential allowed by kind and scope, reported by name under the decision: no misuse', async () => {
    const { token, ask, admin, slug, agent, identity } = await readyGate();
    const allowed = await (
      await postDecisionAs(token, {
        ...ask,
        credential: { kind: 'OAUTH_TOKEN', scope: 'github:read' },
        ttlSeconds: 300,
      })
    ).json();
    expect(allowed).toMatchObject({ decision: 'allow', constraints: { maxTtlSeconds: 3600, justInTime: true } });
    const { token: broker } = await createToken(admin, {
      name: 'runtime',
      scopes: ['events:write'],
      expiresInDays: 30,
    });
    const at = new Date().toISOString();
    const lease = { name: 'lease-7', kind: 'OAUTH_TOKEN', issuance: 'DYNAMIC', storage: 'VAULT_OR_BROKER' };
    const response = await report(broker, [
      { type: 'credential.issued', agent: { slug }, credential: { ...lease, environment: 'PROD' }, occurredAt: at },
      {
        type: 'credential.used',
        agent: { slug },
        credential: { name: 'lease-7' },
        occurredAt: at,
        workload: { identity },
        decisionId: allowed.id,
      },
    ]);
    expect(response.status).toBe(201);
    const used = await getDb().auditEvent.findFirstOrThrow({ where: { agentId: agent.id, action: 'credential.used' } });
    expect(used.details).not.toHaveProperty('misuse');
    // A decision of another agent named by a use counts for nothing: the use is marked.
    const other = await readyGate();
    const theirs = await (await postDecisionAs(other.token, other.ask)).json();
    const stolen = await report(broker, [
      {
        type: 'credential.used',
        agent: { slug },
        credential: { name: 'lease-7' },
        occurredAt: new Date().toISOString(),
        workload: { identity },
        decisionId: theirs.id,
      },
    ]);
    const seq = (await stolen.json()).events[0].seq;
    const marked = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: BigInt(seq) } });
    expect(marked.details).toMatchObject({ misuse: ['no-allowing-decision'] });
  });

  it('a retry gets the first answer only while it holds; a secret in the key is refused, nothing kept', async () => {
    const { token, ask, tokenId } = await readyGate();
    const first = await (await postDecisionAs(token, { ...ask, ttlSeconds: 1 }, 'short-1')).json();
    expect(first.decision).toBe('allow');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const lapsed = await postDecisionAs(token, { ...ask, ttlSeconds: 1 }, 'short-1');
    expect(lapsed.status).toBe(409);
    expect((await lapsed.json()).detail).toMatch(/no longer holds: ask again with a new key/);

    const before = await getDb().idempotencyKey.count({ where: { tokenId } });
    const leaked = await postDecisionAs(token, ask, `ghp_${'aB3dE'.repeat(7)}x`);
    expect(leaked.status).toBe(422);
    expect((await leaked.json()).errors).toEqual([{ path: 'Idempotency-Key', message: expect.any(String) }]);
    expect(await getDb().idempotencyKey.count({ where: { tokenId } })).toBe(before);
  });

  it('the OpenAPI document describes the decision endpoint from the schemas it validates with', async () => {
    const doc = await (await openapi(new Request('http://localhost/api/v1/openapi.json'))).json();
    const path = doc.paths['/api/v1/decisions'].post;
    expect(path.security).toEqual([{ bearer: ['decisions:check'] }]);
    expect(Object.keys(path.responses).sort()).toEqual(
      ['200', '400', '401', '403', '409', '413', '415', '422', '429'].sort(),
    );
    const input = doc.components.schemas.DecisionInput;
    expect(input.required.sort()).toEqual(['credential', 'environment', 'task', 'ttlSeconds', 'workloadIdentity']);
    expect(input.properties.environment.enum).toEqual(['DEV', 'STAGING', 'PROD']);
    expect(doc.components.schemas.Decision.properties.decision.enum).toEqual(['allow', 'deny']);
    expect(doc.components.schemas.Decision.properties.reasons.items.properties.rule.enum).toContain('purpose-covers');
  });

  // Last: it tightens the policy for the rest of this file's database.
  it('decision tokens have their own rate limit from Settings, apart from the token’s other calls', async () => {
    const { token, ask, admin } = await readyGate();
    await changeSetting(admin, { key: 'decisionRatePerSecond', version: '0', value: '1' });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postDecisionAs(token, ask)).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.at(-1)).toBe(429);
    const limited = await postDecisionAs(token, ask);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await limited.json()).detail).toMatch(/at most 1 decisions a second per token/);
  });

  it('the lead who issued a broker’s token cannot raise its decision rate alone: a second lead must', async () => {
    const { token, ask, admin } = await readyGate();
    const settingVersion = async () =>
      String((await getDb().setting.findUnique({ where: { key: 'decisionRatePerSecond' } }))?.version ?? 0);
    await changeSetting(admin, { key: 'decisionRatePerSecond', version: await settingVersion(), value: '1' });
    expect(
      await changeSetting(admin, { key: 'decisionRatePerSecond', version: await settingVersion(), value: '1000' }),
    ).toMatch(/Pending approval/);
    // Six at once against a bucket of two (refilled at one a second): the rate in force is still one.
    const statuses = await Promise.all(
      Array.from({ length: 6 }, async () => (await postDecisionAs(token, ask)).status),
    );
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(3);
  });
});
