// Every server action and every route handler in app/, discovered from the
// code, × every role, signed out and deactivated: allowed or denied as the
// policy table says, and a denied call changes no row. A new action or route
// that is not in POLICY below fails this test until someone decides its rule.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { updateAgent } from '@/lib/agents/commands';
import { appendAuditEvent, SYSTEM_ACTOR } from '@/lib/audit';
import { can, canOnAgent, type Actor, type Permission } from '@/lib/authz';
import { issueCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { approveDelegation, requestDelegation } from '@/lib/delegation/commands';
import { setEscalationContact } from '@/lib/escalation/commands';
import { decideException, requestException } from '@/lib/exceptions/commands';
import type { ActionState } from '@/lib/http/action-state';
import { addPurpose } from '@/lib/purposes/commands';
import { makeActiveAgent, makeAgent } from '@/lib/testing/agents';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { createToken } from '@/lib/tokens/commands';

const session = vi.hoisted(() => ({ userId: null as string | null }));
vi.mock('@/lib/auth/session-id', () => ({ getSessionUserId: async () => session.userId }));
vi.mock('next/cache', () => ({ revalidatePath: () => {}, revalidateTag: () => {} }));

const APP = path.resolve(import.meta.dirname, '../../app');

function discover(fileName: string): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === fileName) found.push(path.relative(APP, full));
    }
  };
  walk(APP);
  return found.sort();
}

type Fixture = {
  target: Actor & { version: number };
  owner: Actor;
  agent: { id: string; version: number; ownerId: string | null };
  purposeId: string;
  /** An agent of the same owner with no credentials or exceptions: free to retire. */
  bareAgentId: string;
  credentialId: string;
  pendingExceptionId: string;
  approvedExceptionId: string;
  /** The bare agent's slug: free to be named in a new delegation request. */
  bareAgentSlug: string;
  /** Two more of the owner's agents, each lent to the other: one waiting (a lead approves it), one in force. */
  pendingGrantId: string;
  approvedGrantId: string;
  /** An open review of the agent (a HIGH one, so not its owner's to review), assigned to `reviewer`. */
  reviewId: string;
  reviewer: Actor;
  /** A pending change request the agent's owner opened (lowering its tier). */
  changeRequestId: string;
  campaignId: string;
  tokenId: string;
  /** A notification that was dead-lettered: a lead may send it again. */
  deadNotificationId: string;
  endpoint: { id: string; name: string };
  /** A free-text field of an event by no one in the test: redactable. */
  redactable: { seq: string; pointer: string };
};
type Input = Record<string, string | string[]>;
type Rule =
  | { permission: Permission; scope?: 'agent'; requester?: true; reviewer?: true; input: (f: Fixture) => Input }
  | { permission: Permission; route: true; params?: () => Promise<Record<string, string>>; body?: unknown }
  | { public: string }
  // A path or method no route serves: the same problem JSON for everyone, signed in or not.
  | { refused: 404 | 405 };

const refuses = (file: string, refused: 404 | 405, methods: string[]): Record<string, Rule> =>
  Object.fromEntries(methods.map((m) => [`${file}#${m}`, { refused }]));
const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'];

let slugCounter = 0;
const agentFields = { name: 'Matrix agent', kind: 'CI_AGENT', environments: ['PROD'], riskTier: 'HIGH' };

// The rule of every action (file#export) and route (file#METHOD).
const POLICY: Record<string, Rule> = {
  '(console)/people/actions.ts#grantRoleAction': {
    permission: 'user.manage',
    input: ({ target }) => ({ userId: target.id, role: 'AUDITOR', version: String(target.version) }),
  },
  '(console)/people/actions.ts#removeRoleAction': {
    permission: 'user.manage',
    input: ({ target }) => ({ userId: target.id, role: 'OWNER', version: String(target.version) }),
  },
  '(console)/people/actions.ts#deactivateUserAction': {
    permission: 'user.manage',
    input: ({ target }) => ({ userId: target.id, reason: 'Matrix test', version: String(target.version) }),
  },
  '(console)/people/actions.ts#reactivateUserAction': {
    permission: 'user.manage',
    input: ({ target }) => ({ userId: target.id, version: String(target.version) }),
  },
  '(console)/agents/actions.ts#registerAgentAction': {
    permission: 'agent.write',
    input: () => ({ slug: `matrix-${++slugCounter}-${Date.now()}`, ...agentFields }),
  },
  '(console)/agents/actions.ts#updateAgentAction': {
    permission: 'agent.write',
    scope: 'agent',
    input: ({ agent }) => ({ id: agent.id, version: String(agent.version), ...agentFields, name: 'Renamed by matrix' }),
  },
  '(console)/agents/actions.ts#changeAgentStatusAction': {
    permission: 'agent.write',
    scope: 'agent',
    input: ({ bareAgentId }) => ({ id: bareAgentId, version: '1', to: 'RETIRED', reason: 'Matrix test' }),
  },
  '(console)/agents/[slug]/actions.ts#setEscalationAction': {
    permission: 'agent.write',
    scope: 'agent',
    // The fixture agent has a contact: the owner or a lead changes it.
    input: ({ agent }) => ({
      agentId: agent.id,
      version: String(agent.version),
      name: 'Matrix on-call',
      email: 'matrix-oncall@example.com',
      coverage: '24/7',
    }),
  },
  '(console)/agents/[slug]/actions.ts#clearEscalationAction': {
    permission: 'agent.write',
    scope: 'agent',
    input: ({ agent }) => ({ agentId: agent.id, version: String(agent.version) }),
  },
  '(console)/agents/[slug]/actions.ts#dryRunIssuanceAction': {
    permission: 'agent.read',
    // Asks, changes nothing: anyone who may read the agent may ask the gate about it.
    input: ({ agent }) => ({
      agentId: agent.id,
      credentialId: '',
      kind: 'API_KEY',
      scope: 'github',
      task: 'x',
      environment: 'PROD',
      ttlSeconds: '60',
    }),
  },
  '(console)/agents/actions.ts#assignOwnerAction': {
    permission: 'ownership.assign',
    input: ({ agent, target }) => ({ agentId: agent.id, version: String(agent.version), userId: target.id }),
  },
  '(console)/agents/actions.ts#assignControlOwnerAction': {
    permission: 'ownership.assign',
    input: ({ agent, target }) => ({
      agentId: agent.id,
      version: String(agent.version),
      plane: 'IAM',
      userId: target.id,
    }),
  },
  '(console)/agents/actions.ts#addPurposeAction': {
    permission: 'agent.write',
    scope: 'agent',
    input: ({ agent }) => ({ agentId: agent.id, task: 'Matrix purpose', scope: 'github', environments: ['DEV'] }),
  },
  '(console)/agents/actions.ts#changePurposeAction': {
    permission: 'agent.write',
    scope: 'agent',
    input: ({ purposeId }) => ({
      purposeId,
      version: '1',
      task: 'Changed by matrix',
      scope: 'github, jira',
      environments: ['PROD'],
    }),
  },
  '(console)/agents/actions.ts#approvePurposeAction': {
    permission: 'purpose.approve',
    input: ({ purposeId }) => ({ purposeId, version: '1' }),
  },
  '(console)/agents/actions.ts#expirePurposeAction': {
    permission: 'agent.write',
    scope: 'agent',
    input: ({ purposeId }) => ({ purposeId, version: '1', reason: 'Matrix test' }),
  },
  '(console)/ownership/actions.ts#bulkReassignAction': {
    permission: 'ownership.assign',
    input: ({ owner, target, agent }) => ({
      fromUserId: owner.id,
      toUserId: target.id,
      agentIds: [agent.id],
      selection: '1',
      reason: 'Matrix test',
    }),
  },
  '(console)/agents/[slug]/actions.ts#issueCredentialAction': {
    permission: 'credential.write',
    scope: 'agent',
    input: ({ agent }) => ({
      agentId: agent.id,
      name: `matrix-${++slugCounter}`,
      kind: 'API_KEY',
      issuance: 'DYNAMIC',
      storage: 'VAULT_OR_BROKER',
      environment: 'PROD',
    }),
  },
  '(console)/agents/[slug]/actions.ts#rotateCredentialAction': {
    permission: 'credential.write',
    scope: 'agent',
    input: ({ credentialId }) => ({ credentialId, reason: 'Matrix test' }),
  },
  '(console)/agents/[slug]/actions.ts#updateCredentialAction': {
    permission: 'credential.write',
    scope: 'agent',
    // A tightening (a shorter rotation period) applies at once for whoever may write custody.
    input: ({ credentialId }) => ({
      credentialId,
      version: '1',
      storage: 'VAULT_OR_BROKER',
      scope: 'repo:read',
      rotationPeriodDays: '1',
    }),
  },
  '(console)/agents/[slug]/actions.ts#revokeCredentialAction': {
    permission: 'credential.write',
    scope: 'agent',
    input: ({ credentialId }) => ({ credentialId, reason: 'Matrix test' }),
  },
  '(console)/agents/[slug]/actions.ts#requestExceptionAction': {
    permission: 'exception.request',
    scope: 'agent',
    input: ({ agent }) => ({ agentId: agent.id, type: 'OTHER', justification: 'Matrix test', durationHours: '1' }),
  },
  '(console)/agents/[slug]/actions.ts#requestDelegationAction': {
    permission: 'delegation.request',
    scope: 'agent',
    input: ({ agent, bareAgentSlug }) => ({
      delegateId: agent.id,
      principal: bareAgentSlug,
      tasks: 'github',
      environments: ['PROD'],
      days: '7',
      justification: 'Matrix test',
    }),
  },
  '(console)/agents/[slug]/actions.ts#approveDelegationAction': {
    // Both agents are the requester's: a security lead approves, the owner may not.
    permission: 'delegation.approve',
    scope: 'agent',
    input: ({ pendingGrantId }) => ({ grantId: pendingGrantId, reason: 'Matrix test' }),
  },
  '(console)/agents/[slug]/actions.ts#revokeDelegationAction': {
    permission: 'delegation.revoke',
    scope: 'agent',
    input: ({ approvedGrantId }) => ({ grantId: approvedGrantId, reason: 'Matrix test' }),
  },
  '(console)/exceptions/actions.ts#decideExceptionAction': {
    permission: 'exception.decide',
    input: ({ pendingExceptionId }) => ({ exceptionId: pendingExceptionId, outcome: 'APPROVE', reason: 'Matrix test' }),
  },
  '(console)/exceptions/actions.ts#revokeExceptionAction': {
    permission: 'exception.revoke',
    input: ({ approvedExceptionId }) => ({ exceptionId: approvedExceptionId, reason: 'Matrix test' }),
  },
  '(console)/exceptions/actions.ts#withdrawExceptionAction': {
    permission: 'exception.request',
    // Only the requester withdraws: every caller but the fixture's owner is refused.
    requester: true,
    input: ({ pendingExceptionId }) => ({ exceptionId: pendingExceptionId, reason: 'Matrix test' }),
  },
  '(console)/reviews/actions.ts#completeReviewAction': {
    permission: 'review.complete',
    // Only the assigned reviewer completes a review: every caller here is someone else.
    reviewer: true,
    input: ({ reviewId }) => ({ reviewId, version: '1', outcome: 'CERTIFIED', notes: 'Matrix test' }),
  },
  '(console)/reviews/actions.ts#assignReviewerAction': {
    permission: 'ownership.assign',
    input: ({ reviewId, target }) => ({ reviewId, version: '1', reviewerId: target.id }),
  },
  '(console)/reviews/actions.ts#startCampaignAction': {
    permission: 'review.campaign',
    input: () => ({
      name: 'Matrix campaign',
      deadline: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
      riskTiers: ['LOW'],
      statuses: ['ACTIVE'],
      kinds: ['OTHER'],
    }),
  },
  '(console)/reviews/actions.ts#closeCampaignAction': {
    permission: 'review.campaign',
    input: ({ campaignId }) => ({ campaignId, version: '1' }),
  },
  '(console)/settings/actions.ts#changeSettingAction': {
    permission: 'settings.write',
    input: () => ({ key: 'credentialRotationDays', version: '0', value: '45' }),
  },
  '(console)/findings/actions.ts#recomputeFindingsAction': { permission: 'findings.recompute', input: () => ({}) },
  '(console)/timeline/actions.ts#verifyChainAction': { permission: 'audit.verify', input: () => ({}) },
  '(console)/system/actions.ts#checkRegistryAction': { permission: 'audit.verify', input: () => ({}) },
  '(console)/timeline/actions.ts#signCheckpointAction': { permission: 'audit.checkpoint', input: () => ({}) },
  // Without the reference a list hands its reader, any event's details are for readers of the whole timeline.
  '(console)/timeline/actions.ts#eventDetailsAction': {
    permission: 'audit.read',
    input: ({ redactable }) => ({ seq: redactable.seq }),
  },
  '(console)/timeline/redact/actions.ts#requestRedactionAction': {
    permission: 'audit.redact',
    input: ({ redactable }) => ({ seq: redactable.seq, pointers: [redactable.pointer], reason: 'Matrix test' }),
  },
  '(console)/notifications/actions.ts#resendNotificationAction': {
    permission: 'notifications.manage',
    input: ({ deadNotificationId }) => ({ id: deadNotificationId, status: 'DEAD' }),
  },
  '(console)/notifications/actions.ts#setPreferencesAction': {
    permission: 'notifications.read',
    input: () => ({ email: ['exception.decided', 'review.assigned'] }),
  },
  '(console)/notifications/actions.ts#createEndpointAction': {
    permission: 'notifications.manage',
    // A public address literal: checked without a DNS lookup (this machine has no internet), never connected to.
    input: () => ({
      name: `Matrix webhook ${++slugCounter}`,
      channel: 'WEBHOOK',
      url: 'https://93.184.215.14/hook',
      secretRef: 'env:NOTIFY_MATRIX_SECRET',
      kinds: ['breakglass.requested'],
      active: 'on',
    }),
  },
  '(console)/notifications/actions.ts#updateEndpointAction': {
    permission: 'notifications.manage',
    input: ({ endpoint }) => ({
      id: endpoint.id,
      version: '1',
      name: `${endpoint.name} renamed`,
      channel: 'WEBHOOK',
      url: 'https://93.184.215.14/hook',
      secretRef: 'env:NOTIFY_MATRIX_SECRET',
      // Left off: an endpoint on for every kind would take a copy of each fixture's notifications.
      kinds: ['breakglass.requested'],
    }),
  },
  '(console)/tokens/actions.ts#createTokenAction': {
    permission: 'token.manage',
    input: () => ({ name: 'matrix-broker', scopes: ['events:write'], expiresInDays: '30' }),
  },
  '(console)/tokens/actions.ts#revokeTokenAction': {
    permission: 'token.manage',
    input: ({ tokenId }) => ({ tokenId, version: '1' }),
  },
  '(console)/changes/actions.ts#decideChangeAction': {
    permission: 'change.decide',
    input: ({ changeRequestId }) => ({ changeRequestId, version: '1', outcome: 'REJECT', reason: 'Matrix test' }),
  },
  '(console)/changes/actions.ts#withdrawChangeAction': {
    permission: 'agent.read',
    // Only the requester (the agent's owner) withdraws: every other caller is refused.
    requester: true,
    input: ({ changeRequestId }) => ({ changeRequestId, version: '1' }),
  },
  '(console)/agents/export/route.ts#GET': { permission: 'agent.read', route: true },
  '(console)/agents/import/template/route.ts#GET': { permission: 'agent.write', route: true },
  // An import that changes nothing (a header, no rows): who may import is what is tested here.
  '(console)/agents/import/check/route.ts#POST': {
    permission: 'agent.write',
    route: true,
    body: { format: 'csv', text: 'slug,name,kind,environments,risk_tier\n' },
  },
  '(console)/agents/import/apply/route.ts#POST': { permission: 'agent.write', route: true, body: { rows: [] } },
  // A log whose one entry is a request (only responses count): who may discover is what is tested here.
  ...Object.fromEntries(
    ['check', 'apply'].map((step) => [
      `(console)/agents/discover/${step}/route.ts#POST`,
      {
        permission: 'discovery.import',
        route: true,
        body: {
          source: 'vault-audit',
          file: JSON.stringify({
            time: '2026-11-30T09:00:00Z',
            type: 'request',
            request: { id: 'matrix-1', operation: 'read', path: 'secret/data/matrix' },
          }),
        },
      },
    ]),
  ),
  ...Object.fromEntries(
    ['api/v1/discovery/plan/route.ts#POST', 'api/v1/discovery/apply/route.ts#POST'].map((key) => [
      key,
      {
        public:
          'bearer-token discovery API: scope discovery:import, a token reaching every agent, acting as its creator; ' +
          'tested in lib/discovery/discovery.test.ts',
      },
    ]),
  ),
  ...Object.fromEntries(
    ['api/v1/registry/plan/route.ts#POST', 'api/v1/registry/apply/route.ts#POST'].map((key) => [
      key,
      {
        public:
          'bearer-token registry-as-code API: scope registry:write, a token reaching every agent, acting as its ' +
          'creator; tested in lib/registry/registry.test.ts',
      },
    ]),
  ),
  'api/v1/events/route.ts#POST': {
    public: 'bearer-token API: scopes checked per token, every status tested in lib/ingest/api.test.ts',
  },
  'api/v1/events/route.ts#GET': {
    public: 'bearer-token API: scopes checked per token, tested in lib/ingest/api.test.ts',
  },
  'api/v1/agents/route.ts#GET': {
    public: 'bearer-token API: scopes checked per token, tested in lib/ingest/api.test.ts',
  },
  'api/v1/agents/[slug]/route.ts#GET': {
    public: 'bearer-token API: scopes checked per token, tested in lib/ingest/api.test.ts',
  },
  ...Object.fromEntries(
    [
      'api/v1/agents/route.ts#POST',
      'api/v1/agents/[slug]/route.ts#PATCH',
      'api/v1/agents/[slug]/owner/route.ts#PUT',
      'api/v1/agents/[slug]/controls/[plane]/route.ts#PUT',
      'api/v1/agents/[slug]/purposes/route.ts#POST',
      'api/v1/agents/[slug]/status/route.ts#POST',
    ].map((key) => [
      key,
      {
        public:
          'bearer-token write API: scope registry:write, acting as the creator within their permissions and the ' +
          "token's reach; every route and status tested in lib/api/registry-write.test.ts",
      },
    ]),
  ),
  'api/v1/decisions/route.ts#POST': {
    public:
      'bearer-token API: scope decisions:check, a token scoped to other agents or acting as an owner of others ' +
      'gets 403, tested in lib/issuance/issuance.test.ts',
  },
  'api/v1/openapi.json/route.ts#GET': { public: 'the API description; reveals no governed data' },
  // SCIM answers in its own error shape (application/scim+json), 405 included: each tested in lib/scim/scim.test.ts.
  ...Object.fromEntries(
    [
      ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => `scim/v2/ServiceProviderConfig/route.ts#${m}`),
      ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => `scim/v2/[...path]/route.ts#${m}`),
    ].map((key) => [key, { public: 'SCIM: what the service supports, and a SCIM 404 for any other path' }]),
  ),
  ...Object.fromEntries(
    ['Users', 'Groups'].flatMap((kind) =>
      [
        ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => `scim/v2/${kind}/route.ts#${m}`),
        ...['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => `scim/v2/${kind}/[id]/route.ts#${m}`),
      ].map((key) => [
        key,
        {
          public:
            'SCIM 2.0 bearer-token API: scope scim:provision, acting as a creator who may manage people; every ' +
            'status and the 405s tested in lib/scim/scim.test.ts',
        },
      ]),
    ),
  ),
  '(console)/timeline/export/route.ts#GET': { permission: 'audit.export', route: true },
  '(console)/timeline/pack/route.ts#GET': { permission: 'audit.export', route: true },
  // The CSV is the page's; the OSCAL file and the signed summary carry the chain head, signed: audit exports.
  ...Object.fromEntries(
    (
      [
        ['export', 'findings.read'],
        ['oscal', 'audit.export'],
        ['summary', 'audit.export'],
      ] as const
    ).map(([file, permission]) => [
      `(console)/findings/frameworks/[id]/${file}/route.ts#GET`,
      { permission, route: true, params: async () => ({ id: 'owasp-nhi-2025' }) },
    ]),
  ),
  '(console)/reviews/campaigns/[id]/export/route.ts#GET': {
    permission: 'audit.export',
    route: true,
    params: async () => ({
      id: (
        await getDb().reviewCampaign.create({
          data: {
            name: 'Export me',
            filter: {},
            deadline: new Date(Date.now() + 86_400_000),
            startedById: (await createPerson(['ADMIN'])).id,
          },
        })
      ).id,
    }),
  },
  'api/people/route.ts#GET': { permission: 'agent.read', route: true },
  'api/health/route.ts#GET': { public: 'liveness for load balancers; reveals no governed data' },
  'api/ready/route.ts#GET': { public: 'readiness for load balancers: migrations and key state, no governed data' },
  'api/auth/[...nextauth]/route.ts#GET': { public: 'next-auth: sign-in itself' },
  'api/auth/[...nextauth]/route.ts#POST': { public: 'next-auth: sign-in itself' },
  ...refuses('api/[...path]/route.ts', 404, ['GET', ...WRITES]),
  ...refuses('api/auth/[...nextauth]/route.ts', 405, ['PUT', 'PATCH', 'DELETE']),
  ...refuses('api/health/route.ts', 405, WRITES),
  ...refuses('api/ready/route.ts', 405, WRITES),
  ...refuses('api/people/route.ts', 405, WRITES),
  ...refuses('api/v1/agents/route.ts', 405, ['PUT', 'PATCH', 'DELETE']),
  ...refuses('api/v1/agents/[slug]/route.ts', 405, ['POST', 'PUT', 'DELETE']),
  ...refuses('api/v1/agents/[slug]/owner/route.ts', 405, ['GET', 'POST', 'PATCH', 'DELETE']),
  ...refuses('api/v1/agents/[slug]/controls/[plane]/route.ts', 405, ['GET', 'POST', 'PATCH', 'DELETE']),
  ...refuses('api/v1/agents/[slug]/purposes/route.ts', 405, ['GET', 'PUT', 'PATCH', 'DELETE']),
  ...refuses('api/v1/agents/[slug]/status/route.ts', 405, ['GET', 'PUT', 'PATCH', 'DELETE']),
  ...refuses('api/v1/openapi.json/route.ts', 405, WRITES),
  ...refuses('api/v1/registry/plan/route.ts', 405, ['GET', 'PUT', 'PATCH', 'DELETE']),
  ...refuses('api/v1/registry/apply/route.ts', 405, ['GET', 'PUT', 'PATCH', 'DELETE']),
  ...refuses('api/v1/discovery/plan/route.ts', 405, ['GET', 'PUT', 'PATCH', 'DELETE']),
  ...refuses('api/v1/discovery/apply/route.ts', 405, ['GET', 'PUT', 'PATCH', 'DELETE']),
  ...refuses('api/v1/events/route.ts', 405, ['PUT', 'PATCH', 'DELETE']),
  ...refuses('api/v1/decisions/route.ts', 405, ['GET', 'PUT', 'PATCH', 'DELETE']),
};

let fixtureApprover: Actor | undefined;

async function makeFixture(key: string): Promise<Fixture> {
  const admin = await createPerson(['ADMIN']);
  const owner = await createPerson(['OWNER']);
  const target = await createPerson(['OWNER'], { active: !key.includes('reactivate') });
  const agent = await makeAgent(admin, { ownerId: owner.id });
  const { id: purposeId } = await addPurpose(owner, {
    agentId: agent.id,
    task: 'Fixture purpose',
    scope: 'github',
    environments: ['PROD'],
  });
  const { id: credentialId } = await issueCredential(owner, {
    agentId: agent.id,
    name: 'fixture-key',
    kind: 'API_KEY',
    issuance: 'STATIC',
    storage: 'VAULT_OR_BROKER',
    environment: 'PROD',
  });
  const { id: pendingExceptionId } = await requestException(owner, {
    agentId: agent.id,
    type: 'OTHER',
    justification: 'Fixture',
    durationHours: 2,
  });
  const { id: approvedExceptionId } = await requestException(owner, {
    agentId: agent.id,
    type: 'OTHER',
    justification: 'Fixture',
    durationHours: 2,
  });
  // One approver for every fixture: each exception request tells every active PAM approver, so a new one per
  // fixture would make hundreds of fixtures write notifications by the tens of thousands.
  fixtureApprover ??= await createPerson(['PAM_APPROVER']);
  await decideException(fixtureApprover, {
    exceptionId: approvedExceptionId,
    outcome: 'APPROVE',
    reason: 'Fixture',
  });
  const bare = await makeAgent(admin, { ownerId: owner.id });
  const reviewer = await createPerson(['OWNER']);
  const { id: reviewId } = await getDb().review.create({
    data: {
      agentId: agent.id,
      openForAgent: agent.id,
      triggers: ['SCHEDULED'],
      dueAt: new Date(Date.now() + 86_400_000),
      reviewerId: reviewer.id,
    },
  });
  const proposed = await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
  await updateAgent(owner, {
    id: agent.id,
    version: proposed.version,
    name: proposed.name,
    kind: proposed.kind,
    environments: proposed.environments,
    riskTier: 'LOW',
  });
  const { id: changeRequestId } = await getDb().changeRequest.findFirstOrThrow({ where: { agentId: agent.id } });
  const { id: campaignId } = await getDb().reviewCampaign.create({
    data: { name: 'Fixture campaign', filter: {}, deadline: new Date(Date.now() + 86_400_000), startedById: admin.id },
  });
  const { id: tokenId } = await createToken(admin, {
    name: 'fixture-broker',
    scopes: ['events:write'],
    expiresInDays: 30,
  });
  await setEscalationContact(owner, {
    agentId: agent.id,
    version: (await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).version,
    name: 'Fixture on-call',
    email: 'fixture-oncall@example.com',
    coverage: '24/7',
  });
  // Between two more of the owner's agents: the reviews they open leave the fixture agent's alone.
  const principal = await makeAgent(admin, { ownerId: owner.id });
  const lend = (delegateId: string, principalSlug: string) =>
    requestDelegation(owner, {
      delegateId,
      principal: principalSlug,
      tasks: 'github',
      environments: ['PROD'],
      days: 7,
      justification: 'Fixture',
    });
  const helper = await makeAgent(admin, { ownerId: owner.id });
  const { id: pendingGrantId } = await lend(helper.id, principal.slug);
  const { id: approvedGrantId } = await lend(principal.id, helper.slug);
  await approveDelegation(admin, { grantId: approvedGrantId, reason: 'Fixture' });
  const noted = await getDb().$transaction((tx) =>
    appendAuditEvent(tx, { action: 'system.note', actor: SYSTEM_ACTOR, details: { note: 'Fixture note' } }),
  );
  const dead = await getDb().notification.findFirstOrThrow({
    where: { status: 'PENDING' },
    orderBy: { createdAt: 'desc' },
  });
  await getDb().notification.update({ where: { id: dead.id }, data: { status: 'DEAD', attempts: 6 } });
  const endpoint = await getDb().notificationEndpoint.create({
    data: {
      name: `Fixture webhook ${++slugCounter}`,
      channel: 'WEBHOOK',
      url: 'https://93.184.215.14/h',
      secretRef: 'env:NOTIFY_X',
      // Off: an endpoint on for every kind would take a copy of each later fixture's notifications.
      active: false,
    },
  });
  return {
    deadNotificationId: dead.id,
    endpoint: { id: endpoint.id, name: endpoint.name },
    redactable: { seq: noted.seq.toString(), pointer: '/note' },
    target,
    owner,
    // As it is now (its contact moved its version).
    agent: {
      id: agent.id,
      version: (await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).version,
      ownerId: agent.ownerId,
    },
    purposeId,
    bareAgentId: bare.id,
    bareAgentSlug: bare.slug,
    pendingGrantId,
    approvedGrantId,
    credentialId,
    pendingExceptionId,
    approvedExceptionId,
    reviewId,
    reviewer,
    changeRequestId,
    campaignId,
    tokenId,
  };
}

const isRedirect = (error: unknown) => String((error as { digest?: string })?.digest ?? '').startsWith('NEXT_REDIRECT');

type Caller = { label: string; actor: Actor | null; sessionUserId: string | null };

const callers: Caller[] = [];
beforeAll(async () => {
  for (const role of ['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'] as const) {
    const person = await createPerson([role]);
    callers.push({ label: role, actor: person, sessionUserId: person.id });
  }
  const everything = await createPerson(['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'], { active: false });
  callers.push({ label: 'deactivated (all roles)', actor: null, sessionUserId: everything.id });
  callers.push({ label: 'no role', actor: { ...(await createPerson([])) }, sessionUserId: null });
  callers[callers.length - 1]!.sessionUserId = callers[callers.length - 1]!.actor!.id;
  callers.push({ label: 'signed out', actor: null, sessionUserId: null });
  // An active agent for the campaign action to find.
  const lead = await createPerson(['ADMIN']);
  await makeActiveAgent(lead, { ownerId: lead.id, kind: 'OTHER', riskTier: 'LOW' });
});

const actionEntries = await Promise.all(
  discover('actions.ts').map(async (file) => {
    const exported = (await import(path.join(APP, file))) as Record<string, unknown>;
    return Object.entries(exported)
      .filter(([, value]) => typeof value === 'function')
      .map(([name, fn]) => ({
        key: `${file}#${name}`,
        fn: fn as (s: ActionState, f: FormData) => Promise<ActionState>,
      }));
  }),
).then((lists) => lists.flat());

const routeEntries = await Promise.all(
  discover('route.ts').map(async (file) => {
    const exported = (await import(path.join(APP, file))) as Record<string, unknown>;
    return ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']
      .filter((m) => typeof exported[m] === 'function')
      .map((m) => ({
        key: `${file}#${m}`,
        handler: exported[m] as (r: Request, context: { params: Promise<Record<string, string>> }) => Promise<Response>,
      }));
  }),
).then((lists) => lists.flat());
const routeKeys = routeEntries.map((r) => r.key);

describe('authorisation matrix', () => {
  it('discovers the actions and routes, and every one has a rule', () => {
    expect(actionEntries.length).toBeGreaterThanOrEqual(4);
    expect(routeKeys).toContain('api/health/route.ts#GET');
    const missing = [...actionEntries.map((a) => a.key), ...routeKeys].filter((key) => !POLICY[key]);
    expect(missing, 'actions or routes without a rule in POLICY').toEqual([]);
    const stale = Object.keys(POLICY).filter(
      (key) => !actionEntries.some((a) => a.key === key) && !routeKeys.includes(key),
    );
    expect(stale, 'rules for actions or routes that no longer exist').toEqual([]);
  });

  for (const { key, fn } of actionEntries) {
    it(`${key}: allowed exactly for the roles the policy grants; a denied call changes nothing`, async () => {
      const rule = POLICY[key];
      if (!rule || !('input' in rule)) throw new Error(`${key} has no action rule`);
      for (const caller of callers) {
        const fixture = await makeFixture(key);
        const form = new FormData();
        for (const [k, v] of Object.entries(rule.input(fixture))) for (const one of [v].flat()) form.append(k, one);
        session.userId = caller.sessionUserId;
        const before = await databaseFingerprint();
        let state: ActionState;
        try {
          state = await fn({ ok: false, message: null }, form);
        } catch (error) {
          if (!isRedirect(error)) throw error;
          state = { ok: true, message: 'redirected' };
        }
        const allowed = rule.requester
          ? caller.actor?.id === fixture.owner.id
          : rule.reviewer
            ? caller.actor?.id === fixture.reviewer.id
            : rule.scope === 'agent'
              ? canOnAgent(caller.actor, rule.permission, fixture.agent.ownerId)
              : can(caller.actor, rule.permission);
        if (allowed) {
          expect(state, `${caller.label} should be allowed to call ${key}`).toMatchObject({ ok: true });
        } else {
          expect(state.ok, `${caller.label} must be refused ${key}`).toBe(false);
          expect(state.message).toMatch(
            caller.actor
              ? new RegExp(
                  'permission|only the agents you own|Only the person who (requested|asked)|Only the assigned ' +
                    'reviewer|a security lead approves|Only the owner of',
                )
              : /Sign in/,
          );
          expect(await databaseFingerprint(), `${caller.label} calling ${key} changed rows`).toEqual(before);
        }
      }
      if (rule.requester || rule.reviewer) {
        // The one person these rules allow: the fixture's requester (or assigned reviewer) themself.
        const fixture = await makeFixture(key);
        const form = new FormData();
        for (const [k, v] of Object.entries(rule.input(fixture))) for (const one of [v].flat()) form.append(k, one);
        session.userId = rule.requester ? fixture.owner.id : fixture.reviewer.id;
        const state = await fn({ ok: false, message: null }, form);
        expect(state, `the ${rule.requester ? 'requester' : 'assigned reviewer'} calling ${key}`).toMatchObject({
          ok: true,
        });
      }
    });
  }

  for (const { key, handler } of routeEntries) {
    const rule = POLICY[key];
    if (rule && 'refused' in rule) {
      it(`${key}: answers ${rule.refused} problem JSON to everyone and changes nothing`, async () => {
        const before = await databaseFingerprint();
        for (const caller of callers) {
          session.userId = caller.sessionUserId;
          const response = await handler(new Request('http://localhost/api/x', { method: key.split('#')[1] }), {
            params: Promise.resolve({}),
          });
          expect(response.status, `${caller.label} on ${key}`).toBe(rule.refused);
          expect(response.headers.get('content-type')).toBe('application/problem+json');
        }
        expect(await databaseFingerprint()).toEqual(before);
      });
    }
    if (!rule || !('route' in rule)) continue;
    it(`${key}: answers only the roles the policy grants, with 401 or 403 problem JSON otherwise`, async () => {
      for (const caller of callers) {
        session.userId = caller.sessionUserId;
        const params = Promise.resolve(rule.params ? await rule.params() : {});
        const before = await databaseFingerprint();
        const url = `http://localhost/${key.split('/route.ts')[0]!.replace(/\([^)]*\)\//, '')}`;
        const response = await handler(
          rule.body === undefined
            ? new Request(url)
            : new Request(url, {
                method: key.split('#')[1],
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify(rule.body),
              }),
          { params },
        );
        if (can(caller.actor, rule.permission)) {
          expect(response.status, `${caller.label} on ${key}`).toBe(200);
          await response.body?.cancel();
        } else {
          expect(response.status, `${caller.label} on ${key}`).toBe(caller.actor ? 403 : 401);
          expect(response.headers.get('content-type')).toBe('application/problem+json');
          expect(await databaseFingerprint()).toEqual(before);
        }
      }
    });
  }
});
