import { describe, expect, it } from 'vitest';
import { describeEvent, type SentenceContext } from './sentence';

const ctx = (over: Partial<SentenceContext> = {}): SentenceContext => ({
  actor: { type: 'API_TOKEN', name: 'vault-broker', roles: [] },
  agent: 'Deploy bot',
  credential: null,
  exception: null,
  person: () => null,
  ...over,
});

describe('timeline sentences of the issuance gate', () => {
  it('reads an allow, a deny with its rules, and a new credential asked by kind and scope', () => {
    const base = { decisionId: 'dec_1', workloadIdentity: 'spiffe://x/deploy', task: 'github', reasons: [] };
    expect(
      describeEvent(
        'issuance.decided',
        { ...base, decision: 'allow', credential: { id: 'c1', name: 'deploy-token' } },
        ctx(),
      ),
    ).toBe('Issuance gate allowed API token vault-broker to issue deploy-token to Deploy bot for github');
    expect(
      describeEvent(
        'issuance.decided',
        {
          ...base,
          decision: 'deny',
          credential: { kind: 'OAUTH_TOKEN', scope: 'github:read' },
          reasons: [{ rule: 'owner-active' }, { rule: 'purpose-covers' }],
        },
        ctx({ agent: null }),
      ),
    ).toBe(
      'Issuance gate refused API token vault-broker’s request for a new OAuth token for github:read for workload ' +
        'spiffe://x/deploy (github): owner-active, purpose-covers',
    );
  });

  it('names the agents a chained decision acted for', () => {
    const details = {
      decisionId: 'dec_2',
      workloadIdentity: 'spiffe://x/deploy',
      task: 'github',
      reasons: [],
      decision: 'allow',
      credential: { id: 'c1', name: 'deploy-token' },
      onBehalfOf: ['coder', 'planner'],
    };
    expect(describeEvent('issuance.decided', details, ctx())).toBe(
      'Issuance gate allowed API token vault-broker to issue deploy-token to Deploy bot for github on behalf of ' +
        'coder, planner',
    );
  });

  it('marks a misused credential on the use', () => {
    expect(
      describeEvent(
        'credential.used',
        { name: 'deploy-token', misuse: ['replay-suspected', 'after-decision-ttl'] },
        ctx({ credential: 'deploy-token' }),
      ),
    ).toBe(
      'API token vault-broker reported Deploy bot used deploy-token — presented by another workload (replay ' +
        'suspected), after the allowing decision’s TTL ended',
    );
  });
});

describe('timeline sentences of delegation', () => {
  const lead = ctx({ actor: { type: 'USER', name: 'Sam Rivera', roles: ['ADMIN'] }, agent: 'Planner' });
  const delegate = { id: 'a1', slug: 'coder' };
  it('reads each step on the principal’s timeline, naming the delegate', () => {
    expect(
      describeEvent(
        'delegation.requested',
        { grantId: 'g1', delegate, tasks: ['github', 'deploy'], environments: ['PROD'], days: 7, justification: 'x' },
        lead,
      ),
    ).toBe('Security lead Sam Rivera asked that coder may act for Planner (github, deploy in PROD, 7 days)');
    expect(
      describeEvent(
        'delegation.approved',
        { grantId: 'g1', delegate, expiresAt: '2026-12-09T10:00:00.000Z', reason: 'Agreed' },
        lead,
      ),
    ).toBe('Security lead Sam Rivera allowed coder to act for Planner until 2026-12-09 10:00 UTC: “Agreed”');
    expect(
      describeEvent('delegation.revoked', { grantId: 'g1', delegate, reason: 'Done', wasPending: true }, lead),
    ).toBe('Security lead Sam Rivera refused the request that coder may act for Planner: “Done”');
    expect(describeEvent('delegation.expired', { grantId: 'g1', delegate }, ctx({ agent: 'Planner' }))).toBe(
      'coder’s delegation to act for Planner expired',
    );
    expect(
      describeEvent('delegation.expired', { grantId: 'g1', delegate, undecided: true }, ctx({ agent: 'Planner' })),
    ).toBe('The request that coder may act for Planner lapsed: nobody decided it in time');
  });
});
