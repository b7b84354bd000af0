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
