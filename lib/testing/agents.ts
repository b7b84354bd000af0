import { changeAgentStatus, registerAgent, updateAgent } from '@/lib/agents/commands';
import type { Actor } from '@/lib/authz';
import { issueCredential } from '@/lib/credentials/commands';
import { getDb } from '@/lib/db';
import { setEscalationContact } from '@/lib/escalation/commands';
import { needsEscalation } from '@/lib/escalation/rules';
import { assignControlOwner } from '@/lib/ownership/commands';
import { addPurpose, approvePurpose } from '@/lib/purposes/commands';
import { createPerson } from './people';

let n = 0;

/** Registers a PROPOSED agent through the domain function. */
export async function makeAgent(actor: Actor, overrides: Record<string, unknown> = {}) {
  n += 1;
  const slug = `agent-${n}-${Math.random().toString(36).slice(2, 7)}`;
  const { id } = await registerAgent(actor, {
    slug,
    name: `Agent ${n}`,
    kind: 'CI_AGENT',
    environments: ['PROD'],
    riskTier: 'HIGH',
    ...overrides,
  });
  return getDb().agent.findUniqueOrThrow({ where: { id } });
}

/**
 * An ACTIVE agent through the domain functions: owner, all three control
 * planes (`planes` names the people; the admin by default), one approved purpose,
 * and for HIGH and CRITICAL an escalation contact.
 */
export async function makeActiveAgent(
  admin: Actor,
  overrides: Record<string, unknown> & { ownerId: string },
  planes: Partial<Record<'IAM' | 'PAM' | 'PLATFORM', string>> = {},
  /** What to do while it is still proposed, ready for service. */
  beforeActive: (agentId: string) => Promise<unknown> = async () => {},
) {
  const agent = await makeAgent(admin, overrides);
  const version = async () => (await getDb().agent.findUniqueOrThrow({ where: { id: agent.id } })).version;
  for (const plane of ['IAM', 'PAM', 'PLATFORM'] as const) {
    await assignControlOwner(admin, {
      agentId: agent.id,
      version: await version(),
      plane,
      userId: planes[plane] ?? admin.id,
    });
  }
  const { id: purposeId } = await addPurpose(admin, {
    agentId: agent.id,
    task: 'Ship releases',
    scope: 'github',
    environments: ['PROD'],
  });
  // Purposes are approved by a security lead independent of the agent (the admin may hold its planes).
  await approvePurpose(await createPerson(['ADMIN'], { name: 'Independent lead' }), { purposeId, version: 1 });
  if (needsEscalation(agent.riskTier)) {
    await setEscalationContact(admin, {
      agentId: agent.id,
      version: await version(),
      name: 'Platform on-call',
      email: 'oncall@example.com',
      coverage: '24/7',
    });
  }
  await beforeActive(agent.id);
  await changeAgentStatus(admin, { id: agent.id, version: await version(), to: 'ACTIVE', reason: 'Ready for service' });
  return getDb().agent.findUniqueOrThrow({ where: { id: agent.id } });
}

/** A static API key kept in an environment variable (DEV): the failing fixture of credential-unsafe-storage. */
export function issueEnvVarKey(actor: Actor, agentId: string, name: string) {
  return issueCredential(actor, {
    agentId,
    name,
    kind: 'API_KEY',
    issuance: 'STATIC',
    storage: 'ENV_VAR',
    environment: 'DEV',
  });
}

/**
 * A static API key kept in a vault or broker (PROD): what a break-glass exception covers in the tests. `extra`
 * overrides or adds the form's fields.
 */
export function issueVaultedProdKey(actor: Actor, agentId: string, name: string, extra: Record<string, unknown> = {}) {
  return issueCredential(actor, {
    agentId,
    name,
    kind: 'API_KEY',
    issuance: 'STATIC',
    storage: 'VAULT_OR_BROKER',
    environment: 'PROD',
    ...extra,
  });
}

/** Submits an agent's edit form as it stands, with `fields` changed (what the console sends). */
export async function editAgentForm(actor: Actor, agentId: string, fields: Record<string, unknown>) {
  const row = await getDb().agent.findUniqueOrThrow({ where: { id: agentId } });
  return updateAgent(actor, {
    id: row.id,
    version: row.version,
    name: row.name,
    kind: row.kind,
    workloadIdentity: row.workloadIdentity ?? '',
    environments: row.environments,
    riskTier: row.riskTier,
    reviewCadenceDays: row.reviewCadenceDays ?? undefined,
    ...fields,
  });
}
