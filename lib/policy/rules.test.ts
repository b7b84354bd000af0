import { describe, expect, it } from 'vitest';
import { recordCredentialUse } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import type { Prisma } from '@/lib/generated/prisma/client';
import { ingestEvents } from '@/lib/ingest/commands';
import { addPurpose } from '@/lib/purposes/commands';
import { getSettings } from '@/lib/settings';
import { postDecisionAs } from '@/lib/testing/issuance';
import { createPerson } from '@/lib/testing/people';
import { createToken } from '@/lib/tokens/commands';
import { evaluateRule } from './evaluate';
import { findControl, FRAMEWORKS, type FrameworkId } from './frameworks';
import { coverageOf, frameworkReport } from './reports';
import { ruleById, RULES } from './rules';

const DAY = 86_400_000;
let n = 0;

/**
 * A compliant ACTIVE agent: active owner, three distinct plane owners, an approved PROD purpose. Overrides make it
 * break one rule.
 */
async function agent(
  overrides: Partial<Prisma.AgentUncheckedCreateInput> = {},
  options: {
    planes?: (string | null)[];
    purpose?: Partial<Prisma.PurposeUncheckedCreateInput> | null;
    escalation?: false;
  } = {},
) {
  n += 1;
  const people = await Promise.all([
    createPerson(['OWNER']),
    createPerson(['OWNER']),
    createPerson(['OWNER']),
    createPerson(['OWNER']),
  ]);
  const a = await getDb().agent.create({
    data: {
      slug: `rule-${n}-${Math.random().toString(36).slice(2, 6)}`,
      name: `Rule agent ${n}`,
      kind: 'CI_AGENT',
      riskTier: 'HIGH',
      status: 'ACTIVE',
      environments: ['PROD'],
      ownerId: people[0]!.id,
      workloadIdentity: `spiffe://t/${n}-${Math.random()}`,
      ...overrides,
    },
  });
  const planes = options.planes ?? [people[1]!.id, people[2]!.id, people[3]!.id];
  for (const [i, plane] of (['IAM', 'PAM', 'PLATFORM'] as const).entries()) {
    if (planes[i]) await getDb().controlAssignment.create({ data: { agentId: a.id, plane, userId: planes[i]! } });
  }
  if (options.escalation !== false) {
    await getDb().escalationContact.create({
      data: { agentId: a.id, name: 'On-call', email: 'oncall@example.com', coverage: '24/7' },
    });
  }
  if (options.purpose !== null) {
    await getDb().purpose.create({
      data: {
        agentId: a.id,
        task: 'Deploy',
        scope: ['argo'],
        environments: ['PROD'],
        status: 'APPROVED',
        approvedAt: new Date(),
        ...options.purpose,
      },
    });
  }
  return a;
}

/** A compliant credential: dynamic, vaulted, bound, short TTL, PROD. */
async function credential(agentId: string, overrides: Partial<Prisma.CredentialUncheckedCreateInput> = {}) {
  n += 1;
  return getDb().credential.create({
    data: {
      agentId,
      name: `cred-${n}`,
      kind: 'OAUTH_TOKEN',
      issuance: 'DYNAMIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'PROD',
      boundToWorkloadIdentity: true,
      maxTtlSeconds: 900,
      lastRotatedAt: new Date(),
      secretRef: `vault:kv/prod/${n}`,
      ...overrides,
    },
  });
}

/** Reports uses through the ingest, as a broker's token acting for a security lead: the marks are the ingest's. */
async function reportUses(uses: { agentSlug: string; credential: string; extra?: Record<string, unknown> }[]) {
  const lead = await createPerson(['ADMIN']);
  const name = `broker-${n}`;
  const { id } = await createToken(lead, { name, scopes: ['events:write'], expiresInDays: 30 });
  const policy = await getSettings(getDb());
  const token = { id, name, scopes: ['events:write'], creator: lead, reach: { kind: 'ALL' as const }, policy };
  const events = uses.map((u) => ({
    type: 'credential.used',
    agent: { slug: u.agentSlug },
    credential: { name: u.credential },
    occurredAt: new Date().toISOString(),
    ...u.extra,
  }));
  const outcome = await ingestEvents(token, { events }, { partial: false });
  expect(outcome.status, JSON.stringify(outcome.body)).toBe(201);
}

/** An allowing decision of the gate for a credential, valid until `validUntil` (as the gate records it). */
async function decision(credentialId: string, agentId: string, validUntil: Date) {
  n += 1;
  await getDb().issuanceDecision.create({
    data: {
      id: `dec_rule_${n}_${Math.random().toString(36).slice(2, 8)}`,
      agentId,
      credentialId,
      workloadIdentity: 'spiffe://t/x',
      allowed: true,
      decidedAt: new Date(Date.now() - 3_600_000),
      validUntil,
      tokenId: 'rule-test',
    },
  });
}

const flagged = async (ruleId: string) =>
  (await evaluateRule(getDb(), ruleById(ruleId)!)).map((r) => r.credentialId ?? r.agentId);

/** Each rule: the failing fixture is flagged, the passing one is not. */
const CASES: Record<string, () => Promise<{ bad: string; good: string | string[] }>> = {
  'delegation-orphaned': async () => {
    const [delegate, active, suspended, lead] = await Promise.all([agent(), agent(), agent(), createPerson(['ADMIN'])]);
    await getDb().agent.update({ where: { id: suspended.id }, data: { status: 'SUSPENDED' } });
    const gone = await createPerson(['ADMIN'], { active: false });
    const grant = (delegateId: string, principalId: string, approvedById: string) =>
      getDb().delegationGrant.create({
        data: {
          delegateId,
          principalId,
          tasks: ['github'],
          environments: ['PROD'],
          justification: 'Fixture',
          days: 7,
          status: 'APPROVED',
          requestedById: delegate.ownerId!,
          approvedById,
          approvedAt: new Date(),
          expiresAt: new Date(Date.now() + DAY),
        },
      });
    // Bad: acts for a suspended agent, and under a grant whose approver left. Good: an active one, approved by a lead.
    const bad = await agent();
    await grant(bad.id, suspended.id, lead.id);
    await grant(bad.id, active.id, gone.id);
    await grant(delegate.id, active.id, lead.id);
    return { bad: bad.id, good: delegate.id };
  },
  'owner-missing': async () => {
    const gone = await createPerson(['OWNER'], { active: false });
    return { bad: (await agent({ ownerId: gone.id })).id, good: (await agent()).id };
  },
  'plane-unassigned': async () => ({
    bad: (await agent({}, { planes: [null, null, null] })).id,
    good: (await agent()).id,
  }),
  'one-person-all-planes': async () => {
    const solo = await createPerson(['OWNER']);
    return { bad: (await agent({}, { planes: [solo.id, solo.id, solo.id] })).id, good: (await agent()).id };
  },
  'escalation-missing': async () => ({
    bad: (await agent({ riskTier: 'CRITICAL' }, { escalation: false })).id,
    good: (await agent({ riskTier: 'MEDIUM' }, { escalation: false })).id,
  }),
  'active-without-purpose': async () => ({ bad: (await agent({}, { purpose: null })).id, good: (await agent()).id }),
  'purpose-expired': async () => ({
    bad: (await agent({}, { purpose: { expiresAt: new Date(Date.now() - DAY) } })).id,
    good: (await agent({}, { purpose: { expiresAt: new Date(Date.now() + DAY) } })).id,
  }),
  'static-credential-in-prod': async () => {
    const a = await agent();
    return {
      bad: (await credential(a.id, { issuance: 'STATIC' })).id,
      good: (await credential(a.id, { issuance: 'STATIC', environment: 'DEV' })).id,
    };
  },
  'credential-not-bound': async () => {
    const a = await agent();
    return { bad: (await credential(a.id, { boundToWorkloadIdentity: false })).id, good: (await credential(a.id)).id };
  },
  'credential-unsafe-storage': async () => {
    const a = await agent();
    return {
      bad: (await credential(a.id, { storage: 'PROMPT_OR_CONTEXT', secretRef: null })).id,
      good: (await credential(a.id)).id,
    };
  },
  'ttl-above-policy': async () => {
    const a = await agent();
    return {
      bad: (await credential(a.id, { privileged: true, maxTtlSeconds: 7200 })).id,
      good: (await credential(a.id, { privileged: false, maxTtlSeconds: 7200 })).id,
    };
  },
  'rotation-overdue': async () => {
    const a = await agent();
    return {
      bad: (
        await credential(a.id, {
          issuance: 'STATIC',
          rotationPeriodDays: 30,
          lastRotatedAt: new Date(Date.now() - 31 * DAY),
        })
      ).id,
      good: (
        await credential(a.id, {
          issuance: 'STATIC',
          rotationPeriodDays: 30,
          lastRotatedAt: new Date(Date.now() - 29 * DAY),
        })
      ).id,
    };
  },
  'privileged-without-pam': async () => {
    const noPam = await agent(
      {},
      { planes: [(await createPerson(['OWNER'])).id, null, (await createPerson(['OWNER'])).id] },
    );
    const withPam = await agent();
    return {
      bad: (await credential(noPam.id, { privileged: true })).id,
      good: (await credential(withPam.id, { privileged: true })).id,
    };
  },
  'shared-secret-ref': async () => {
    const [a, b] = [await agent(), await agent()];
    const bad = await credential(a.id, { secretRef: 'vault:kv/shared/one' });
    await credential(b.id, { secretRef: 'vault:kv/shared/one' });
    return { bad: bad.id, good: (await credential(a.id, { secretRef: 'vault:kv/own/one' })).id };
  },
  'review-overdue': async () => {
    const [a, b] = [await agent(), await agent()];
    await getDb().review.create({
      data: { agentId: a.id, openForAgent: a.id, triggers: ['SCHEDULED'], dueAt: new Date(Date.now() - DAY) },
    });
    await getDb().review.create({
      data: { agentId: b.id, openForAgent: b.id, triggers: ['SCHEDULED'], dueAt: new Date(Date.now() + DAY) },
    });
    return { bad: a.id, good: b.id };
  },
  'exception-past-expiry-active': async () => {
    const [a, b] = [await agent(), await agent()];
    const requester = await createPerson(['OWNER']);
    const base = {
      type: 'OTHER' as const,
      justification: 'x',
      requestedById: requester.id,
      status: 'APPROVED' as const,
      startsAt: new Date(Date.now() - 2 * DAY),
    };
    await getDb().exception.create({ data: { ...base, agentId: a.id, expiresAt: new Date(Date.now() - 3_600_000) } });
    await getDb().exception.create({ data: { ...base, agentId: b.id, expiresAt: new Date(Date.now() + 3_600_000) } });
    return { bad: a.id, good: b.id };
  },
  'exception-longer-than-policy': async () => {
    const [a, b] = [await agent(), await agent()];
    const requester = await createPerson(['OWNER']);
    const base = {
      type: 'BREAK_GLASS' as const,
      justification: 'x',
      requestedById: requester.id,
      status: 'APPROVED' as const,
      startsAt: new Date(),
    };
    await getDb().exception.create({
      data: { ...base, agentId: a.id, expiresAt: new Date(Date.now() + 6 * 3_600_000) },
    });
    await getDb().exception.create({
      data: { ...base, agentId: b.id, expiresAt: new Date(Date.now() + 3 * 3_600_000) },
    });
    return { bad: a.id, good: b.id };
  },
  'proposed-with-credentials': async () => {
    const [a, b] = [await agent({ status: 'PROPOSED' }), await agent({ status: 'PROPOSED' })];
    await credential(a.id);
    await credential(b.id, { revokedAt: new Date() });
    return { bad: a.id, good: b.id };
  },
  'scope-drift': async () => {
    const a = await agent();
    return {
      bad: (await credential(a.id, { environment: 'STAGING' })).id,
      good: (await credential(a.id, { environment: 'PROD', scope: 'argo:sync' })).id,
    };
  },
  'break-glass-not-rotated': async () => {
    const a = await agent();
    const requester = await createPerson(['OWNER']);
    const [stale, fresh] = [
      await credential(a.id, { lastRotatedAt: new Date(Date.now() - 2 * DAY) }),
      await credential(a.id, { lastRotatedAt: new Date() }),
    ];
    for (const c of [stale, fresh]) {
      await getDb().exception.create({
        data: {
          type: 'BREAK_GLASS',
          agentId: a.id,
          credentials: { create: { credentialId: c.id } },
          justification: 'x',
          requestedById: requester.id,
          status: 'EXPIRED',
          startsAt: new Date(Date.now() - DAY - 3_600_000),
          expiresAt: new Date(Date.now() - DAY),
          endedAt: new Date(Date.now() - DAY),
        },
      });
    }
    return { bad: stale.id, good: fresh.id };
  },
  'use-after-revocation': async () => {
    const a = await agent();
    const [revoked, live] = [await credential(a.id, { revokedAt: new Date() }), await credential(a.id)];
    const reporter = await createPerson(['OWNER']);
    await getDb().agent.update({ where: { id: a.id }, data: { ownerId: reporter.id } });
    for (const c of [revoked, live])
      await recordCredentialUse({ ...reporter }, { credentialId: c.id, context: 'nightly run' });
    return { bad: revoked.id, good: live.id };
  },
  'credential-replay-suspected': async () => {
    const a = await agent();
    const [replayed, own] = [await credential(a.id), await credential(a.id)];
    await reportUses([
      { agentSlug: a.slug, credential: replayed.name, extra: { workload: { identity: 'spiffe://t/intruder' } } },
      { agentSlug: a.slug, credential: own.name, extra: { workload: { identity: a.workloadIdentity } } },
    ]);
    return { bad: replayed.id, good: own.id };
  },
  'credential-used-after-decision': async () => {
    const a = await agent();
    const [late, onTime] = [await credential(a.id, { gated: true }), await credential(a.id, { gated: true })];
    await decision(late.id, a.id, new Date(Date.now() - 60_000));
    await decision(onTime.id, a.id, new Date(Date.now() + 600_000));
    await reportUses([
      { agentSlug: a.slug, credential: late.name },
      { agentSlug: a.slug, credential: onTime.name },
    ]);
    return { bad: late.id, good: onTime.id };
  },
  'gated-credential-used-ungated': async () => {
    const a = await agent();
    const [around, through] = [await credential(a.id, { gated: true }), await credential(a.id, { gated: true })];
    await decision(through.id, a.id, new Date(Date.now() + 600_000));
    await reportUses([
      { agentSlug: a.slug, credential: around.name },
      { agentSlug: a.slug, credential: through.name },
    ]);
    return { bad: around.id, good: through.id };
  },
  'ci-static-credential': async () => {
    const [ci, other] = [await agent({ kind: 'CI_AGENT' }), await agent({ kind: 'CODING_AGENT' })];
    const bad = await credential(ci.id, { issuance: 'STATIC', environment: 'DEV' });
    // Passing: the same CI agent's broker-issued credential, and a static one held by an agent that is not CI.
    const notCi = await credential(other.id, { issuance: 'STATIC', environment: 'DEV' });
    return { bad: bad.id, good: [(await credential(ci.id)).id, notCi.id] };
  },
  'credential-outside-environments': async () => {
    const a = await agent({ environments: ['DEV', 'STAGING'] });
    return {
      bad: (await credential(a.id, { environment: 'PROD' })).id,
      good: (await credential(a.id, { environment: 'STAGING' })).id,
    };
  },
  'delegation-without-grant': async () => {
    // Through the gate itself: a broker asks for the asker acting for another agent, with no grant between them.
    const [asker, principal, alone] = [await agent(), await agent(), await agent()];
    const admin = await createPerson(['ADMIN']);
    const { token } = await createToken(admin, { name: `gate-${n}`, scopes: ['decisions:check'], expiresInDays: 9 });
    const ask = async (from: typeof asker, onBehalfOf?: string[]) => {
      const response = await postDecisionAs(token, {
        workloadIdentity: from.workloadIdentity,
        credential: { kind: 'OAUTH_TOKEN', scope: 'argo' },
        task: 'Deploy',
        environment: 'PROD',
        ttlSeconds: 600,
        ...(onBehalfOf ? { onBehalfOf } : {}),
      });
      expect(response.status).toBe(200);
      return (await response.json()) as { decision: string; reasons: { rule: string }[] };
    };
    const refused = await ask(asker, [principal.workloadIdentity!]);
    expect(refused.reasons.map((r) => r.rule)).toContain('delegation-granted');
    // Passing: denied for another reason (an out-of-purpose task), acting for nobody.
    const response = await postDecisionAs(token, {
      workloadIdentity: alone.workloadIdentity,
      credential: { kind: 'OAUTH_TOKEN', scope: 'argo' },
      task: 'Delete production',
      environment: 'PROD',
      ttlSeconds: 600,
    });
    expect(((await response.json()) as { decision: string }).decision).toBe('deny');
    return { bad: asker.id, good: alone.id };
  },
  'secret-pasted': async () => {
    const [pasted, clean] = [await agent(), await agent()];
    // Its own owner pastes it: only someone who could act on the agent makes it the agent's finding.
    const owner = await createPerson(['OWNER']);
    await getDb().agent.update({ where: { id: pasted.id }, data: { ownerId: owner.id } });
    await expect(
      addPurpose(owner, {
        agentId: pasted.id,
        task: `Deploy with ghp_${'aB3dE'.repeat(7)}x`,
        scope: 'argo',
        environments: ['PROD'],
      }),
    ).rejects.toThrow(/looks like a secret/);
    return { bad: pasted.id, good: clean.id };
  },
};

describe('policy rules', () => {
  it('every rule has a passing and a failing fixture', () => {
    expect(Object.keys(CASES).sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  for (const rule of RULES) {
    it(`${rule.id}: flags the failing fixture and not the passing one`, async () => {
      const { bad, good } = await CASES[rule.id]!();
      const ids = await flagged(rule.id);
      expect(ids).toContain(bad);
      for (const passing of [good].flat()) expect(ids).not.toContain(passing);
    });
  }

  it('maps every rule to real framework controls, and each framework lists its official items', () => {
    for (const rule of RULES) {
      expect(rule.controls.length, rule.id).toBeGreaterThan(0);
      for (const ref of rule.controls) expect(findControl(ref), `${rule.id} → ${ref}`).not.toBeNull();
    }
    const nhi = FRAMEWORKS.find((f) => f.id === 'owasp-nhi-2025')!;
    expect(nhi.items.map((i) => `${i.id} ${i.name}`)).toEqual([
      'NHI1:2025 Improper Offboarding',
      'NHI2:2025 Secret Leakage',
      'NHI3:2025 Vulnerable Third-Party NHI',
      'NHI4:2025 Insecure Authentication',
      'NHI5:2025 Overprivileged NHI',
      'NHI6:2025 Insecure Cloud Deployment Configurations',
      'NHI7:2025 Long-Lived Secrets',
      'NHI8:2025 Environment Isolation',
      'NHI9:2025 NHI Reuse',
      'NHI10:2025 Human Use of NHI',
    ]);
    const asi = FRAMEWORKS.find((f) => f.id === 'owasp-agentic-2026')!;
    expect(asi.items.map((i) => i.id)).toEqual([
      'ASI01',
      'ASI02',
      'ASI03',
      'ASI04',
      'ASI05',
      'ASI06',
      'ASI07',
      'ASI08',
      'ASI09',
      'ASI10',
    ]);
    expect(asi.items[2]!.name).toBe('Identity and Privilege Abuse');
    expect(
      FRAMEWORKS.find((f) => f.id === 'nist-ai-rmf')!.items.every((i) => /^(GOVERN|MANAGE) \d\.\d+$/.test(i.id)),
    ).toBe(true);
    expect(
      FRAMEWORKS.find((f) => f.id === 'nist-csf-2')!.items.every((i) =>
        /^(GV|ID|PR|DE|RS|RC)\.[A-Z]{2}-\d{2}$/.test(i.id),
      ),
    ).toBe(true);
  });
});

/** The items of each framework (../shared/notes/frameworks.md): a report lists every one, never silently absent. */
const LISTED: Record<FrameworkId, string[]> = {
  'owasp-nhi-2025': Array.from({ length: 10 }, (_, i) => `NHI${i + 1}:2025`),
  'owasp-agentic-2026': Array.from({ length: 10 }, (_, i) => `ASI${String(i + 1).padStart(2, '0')}`),
  'nist-ai-rmf': [
    'GOVERN 1.6',
    'GOVERN 1.7',
    'GOVERN 2.1',
    'GOVERN 2.3',
    'GOVERN 3.2',
    'GOVERN 4.3',
    'GOVERN 6.1',
    'GOVERN 6.2',
    'MANAGE 2.3',
    'MANAGE 2.4',
    'MANAGE 4.1',
    'MANAGE 4.3',
  ],
  'nist-csf-2': ['ID.AM-02', 'PR.AA-01', 'PR.AA-02', 'PR.AA-03', 'PR.AA-04', 'PR.AA-05'],
  'csa-maestro': ['L1', 'L2', 'L3', 'L4', 'L5', 'L6', 'L7', 'Cross-layer'],
};

describe('framework coverage', () => {
  for (const framework of FRAMEWORKS) {
    it(`${framework.id}: each listed item in the report in one of three states; no rule without fixtures`, async () => {
      // The report itself, as the page, CSV and OSCAL file give it: every listed item a row, with its state.
      const report = (await frameworkReport(await createPerson(['AUDITOR']), framework.id))!;
      const rows = new Map(report.controls.map((c) => [c.item.id, c]));
      for (const listed of LISTED[framework.id]) {
        expect(rows.has(listed), `${listed} in the report`).toBe(true);
        const row = rows.get(listed)!;
        if (row.state === 'assessed') expect(row.failingAgents, listed).not.toBeNull();
        if (row.state === 'evidenced') expect(row.evidence.length, listed).toBeGreaterThan(0);
        if (row.state === 'outside') expect(row.evidence.length + row.rules.length, listed).toBe(0);
      }
      for (const item of framework.items) {
        const { state, rules } = coverageOf(framework.id, item);
        expect(rows.get(item.id)?.state, item.id).toBe(state);
        if (state === 'assessed') {
          expect(rules.length, item.id).toBeGreaterThan(0);
          for (const rule of rules) expect(Object.keys(CASES), `${item.id} → ${rule.id}`).toContain(rule.id);
        }
        // Declared outside means no rule and no process claims it; and nothing is outside without the reason.
        if (item.outside) expect([state, rules.length, item.evidence ?? []], item.id).toEqual(['outside', 0, []]);
        if (state === 'outside') expect(item.outside?.reason, item.id).toMatch(/\w{3,}.*\./);
      }
    });
  }

  it('a rule names only controls of known frameworks, so none is reported under an item that does not exist', () => {
    const refs = RULES.flatMap((r) => r.controls);
    expect(refs.filter((ref) => !findControl(ref))).toEqual([]);
  });
});
