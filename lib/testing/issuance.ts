import { POST as postDecision } from '@/app/api/v1/decisions/route';
import { issueCredential } from '@/lib/credentials/commands';
import { makeActiveAgent } from '@/lib/testing/agents';
import { createPerson } from '@/lib/testing/people';
import { createToken } from '@/lib/tokens/commands';

/** POST /api/v1/decisions with a token, and an Idempotency-Key when given. */
export const postDecisionAs = (token: string, body: unknown, key?: string) =>
  postDecision(
    new Request('http://localhost/api/v1/decisions', {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    }),
  );

/** An ACTIVE agent ready for issuance, a dynamic credential on it, a decisions:check token, and an ask it allows. */
export async function readyGate(riskTier: 'HIGH' | 'CRITICAL' | 'MEDIUM' = 'HIGH') {
  const admin = await createPerson(['ADMIN']);
  const owner = await createPerson(['OWNER']);
  const slug = `gate-${Math.random().toString(36).slice(2, 8)}`;
  const identity = `spiffe://example.com/agents/${slug}`;
  const agent = await makeActiveAgent(admin, { ownerId: owner.id, slug, riskTier, workloadIdentity: identity });
  const { id: credentialId } = await issueCredential(owner, {
    agentId: agent.id,
    name: 'deploy-token',
    kind: 'OAUTH_TOKEN',
    issuance: 'DYNAMIC',
    storage: 'VAULT_OR_BROKER',
    secretRef: `vault:github/${slug}`,
    environment: 'PROD',
    scope: 'github:write',
    maxTtlSeconds: '900',
  });
  const { token, id: tokenId } = await createToken(admin, {
    name: `broker-${slug}`,
    scopes: ['decisions:check'],
    expiresInDays: 30,
  });
  const ask = {
    workloadIdentity: identity,
    credential: { id: credentialId },
    task: 'github',
    environment: 'PROD' as const,
    ttlSeconds: 600,
  };
  return { admin, owner, agent, slug, identity, credentialId, token, tokenId, ask };
}
