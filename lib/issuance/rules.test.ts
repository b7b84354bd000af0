import { describe, expect, it } from 'vitest';
import { CHAIN_RULES } from './chain';
import { conclude } from './decide';
import { ISSUANCE_RULES, type DecisionFacts } from './rules';
import { ISSUANCE_RULE_IDS } from './schema';

const NOW = new Date('2026-12-02T10:00:00Z');
const later = (s: number) => new Date(NOW.getTime() + s * 1000);

/** Facts every rule passes: an active HIGH agent, owned, planes held, paged, a dynamic credential, a purpose. */
function good(): DecisionFacts {
  return {
    now: NOW,
    workloadIdentity: 'spiffe://example.com/ci/deploy',
    input: { credential: { name: 'deploy-token' }, task: 'github:write', environment: 'PROD', ttlSeconds: 600 },
    agent: {
      id: 'a1',
      slug: 'deploy-bot',
      workloadIdentity: 'spiffe://example.com/ci/deploy',
      ownerId: 'u1',
      status: 'ACTIVE',
      riskTier: 'HIGH',
      ownerActive: true,
      planesHeld: ['IAM', 'PAM', 'PLATFORM'],
      escalationReachable: true,
      openReviewDueAt: later(86_400),
      nextReviewDue: later(86_400 * 30),
    },
    credential: {
      id: 'c1',
      name: 'deploy-token',
      kind: 'OAUTH_TOKEN',
      issuance: 'DYNAMIC',
      environment: 'PROD',
      scope: 'github:write',
      maxTtlSeconds: 900,
      privileged: false,
      revoked: false,
    },
    purposes: [{ id: 'p1', task: 'Ship releases', scope: ['github'], environments: ['PROD'] }],
    exception: null,
    criticalFindings: [],
    owners: null,
    tierMaxTtlSeconds: 3600,
    classMaxTtlSeconds: { standard: 86_400, privileged: 3600 },
    chain: null,
  };
}

type Change = (f: DecisionFacts) => void;
const agent = (f: DecisionFacts) => f.agent!;

/** For each rule: facts that break it (and only it). */
const BREAKS: Record<string, Change[]> = {
  'identity-resolves': [(f) => (agent(f).workloadIdentity = null)],
  'agent-active': [(f) => (agent(f).status = 'SUSPENDED'), (f) => (agent(f).status = 'PROPOSED')],
  'owner-active': [(f) => (agent(f).ownerActive = null), (f) => (agent(f).ownerActive = false)],
  'planes-owned': [(f) => (agent(f).planesHeld = ['IAM', 'PLATFORM'])],
  'escalation-reachable': [(f) => (agent(f).escalationReachable = false)],
  'credential-held': [
    (f) => (f.credential = null),
    (f) => (f.credential!.revoked = true),
    (f) => (f.credential!.environment = 'STAGING'),
  ],
  'purpose-covers': [
    (f) => (f.purposes = []),
    (f) => (f.input.task = 'jira'),
    (f) => (f.purposes[0]!.environments = ['STAGING']),
    // The task is the caller's word: the credential's scope must be covered too.
    (f) => (f.credential!.scope = 'github:write, prod-db:admin'),
    (f) => (f.credential!.scope = ''),
    (f) => {
      f.credential = null;
      f.input.credential = { kind: 'OAUTH_TOKEN', scope: 'aws:admin' };
    },
  ],
  'review-current': [(f) => (agent(f).openReviewDueAt = later(-1)), (f) => (agent(f).nextReviewDue = later(-60))],
  'no-critical-finding': [(f) => (f.criticalFindings = [{ ruleId: 'use-after-revocation', detail: 'x used' }])],
  'ttl-within-policy': [
    (f) => (f.input.ttlSeconds = 901),
    (f) => {
      f.tierMaxTtlSeconds = 300;
    },
    (f) => {
      f.credential!.maxTtlSeconds = null;
      f.credential!.privileged = true;
      f.tierMaxTtlSeconds = 86_400;
      f.input.ttlSeconds = 3601;
    },
    // A record's own TTL only lowers the class's: an owner who states 8 hours on a privileged key gets 1 hour.
    (f) => {
      f.credential!.maxTtlSeconds = 28_800;
      f.credential!.privileged = true;
      f.tierMaxTtlSeconds = 86_400;
      f.input.ttlSeconds = 3601;
    },
    // A new credential asked as privileged takes the privileged maximum, not only the tier's.
    (f) => {
      f.credential = null;
      f.input.credential = { kind: 'OAUTH_TOKEN', scope: 'github', privileged: true };
      f.tierMaxTtlSeconds = 86_400;
      f.input.ttlSeconds = 3601;
    },
  ],
  'no-static-for-high-risk': [
    (f) => (f.credential!.issuance = 'STATIC'),
    (f) => {
      f.credential!.issuance = 'STATIC';
      agent(f).riskTier = 'CRITICAL';
    },
  ],
};

const failing = (f: DecisionFacts) => ISSUANCE_RULES.filter((r) => r.check(f)).map((r) => r.id);

describe('issuance rules', () => {
  it('has a breaking case for every rule, and the API names the same rules in the same order', () => {
    expect(Object.keys(BREAKS).sort()).toEqual(ISSUANCE_RULES.map((r) => r.id).sort());
    expect([...ISSUANCE_RULES, ...CHAIN_RULES].map((r) => r.id)).toEqual([...ISSUANCE_RULE_IDS]);
  });

  it('passes every rule on good facts and allows', () => {
    expect(failing(good())).toEqual([]);
    expect(conclude(good())).toMatchObject({ decision: 'allow', reasons: [] });
  });

  for (const [id, changes] of Object.entries(BREAKS)) {
    it(`${id}: each breaking case fails it alone, with a sentence and a fix, and denies`, () => {
      for (const change of changes) {
        const f = good();
        change(f);
        expect(failing(f)).toEqual([id]);
        const result = conclude(f);
        expect(result.decision).toBe('deny');
        expect(result.constraints).toBeNull();
        expect(result.reasons).toEqual([{ rule: id, sentence: expect.any(String), fix: expect.any(String) }]);
      }
    });
  }

  it('an unknown identity fails only the identity rule: the rest need an agent', () => {
    const f = good();
    f.agent = null;
    f.credential = null;
    expect(failing(f)).toEqual(['identity-resolves']);
    expect(conclude(f).reasons[0]!.sentence).toContain('spiffe://example.com/ci/deploy');
  });

  it('lists every failing rule at once', () => {
    const f = good();
    agent(f).ownerActive = null;
    f.purposes = [];
    f.input.ttlSeconds = 5000;
    expect(failing(f)).toEqual(['owner-active', 'purpose-covers', 'ttl-within-policy']);
  });

  it('a task is covered by the purpose’s task, a scope entry, or the system of system:permission', () => {
    for (const task of ['Ship releases', 'github', 'GitHub:write', ' github:read ']) {
      const f = good();
      f.input.task = task;
      expect(failing(f), task).toEqual([]);
    }
    const f = good();
    f.purposes[0]!.scope = ['github:read'];
    f.input.task = 'github:write';
    expect(failing(f)).toEqual(['purpose-covers']);
  });

  it('LOW and MEDIUM agents may use static credentials; no escalation contact needed below HIGH', () => {
    const f = good();
    agent(f).riskTier = 'MEDIUM';
    agent(f).escalationReachable = false;
    f.credential!.issuance = 'STATIC';
    expect(failing(f)).toEqual([]);
    expect(conclude(f).constraints).toMatchObject({ justInTime: false, exception: null });
  });

  it('static for a HIGH agent under an exception in force: allowed, capped to the exception’s end', () => {
    const f = good();
    f.credential!.issuance = 'STATIC';
    f.exception = { id: 'e1', type: 'BREAK_GLASS', expiresAt: later(300) };
    const result = conclude(f);
    expect(result).toMatchObject({
      decision: 'allow',
      constraints: {
        maxTtlSeconds: 300,
        validUntil: later(300).toISOString(),
        justInTime: false,
        exception: { id: 'e1', type: 'BREAK_GLASS', endsAt: later(300).toISOString() },
      },
    });
  });

  it('an exception not needed is not relied on, and does not cap the TTL', () => {
    const f = good();
    f.exception = { id: 'e1', type: 'BREAK_GLASS', expiresAt: later(60) };
    expect(conclude(f).constraints).toMatchObject({ maxTtlSeconds: 900, exception: null, justInTime: true });
  });

  it('an allow grants the lower of the TTL asked and the limit', () => {
    const f = good();
    f.input.ttlSeconds = 120;
    expect(conclude(f).constraints).toMatchObject({ maxTtlSeconds: 900, validUntil: later(120).toISOString() });
    const g = good();
    g.credential = null;
    g.input.credential = { kind: 'OAUTH_TOKEN', scope: 'github:write' };
    expect(conclude(g).constraints).toMatchObject({ maxTtlSeconds: 3600, justInTime: true });
  });
});
