import 'server-only';
import { z } from 'zod';
import { changeAgentStatus, editAgent, registerAgent } from '@/lib/agents/commands';
import { AgentFieldsSchema, ChangeStatusSchema, PLANES, RegisterAgentSchema } from '@/lib/agents/schema';
import { getDb } from '@/lib/db';
import { Forbidden, Invalid, NotFound, parseInput } from '@/lib/errors';
import { assignControlOwner, assignOwner } from '@/lib/ownership/commands';
import { addPurpose } from '@/lib/purposes/commands';
import { AddPurposeSchema } from '@/lib/purposes/schema';
import type { TokenActor } from '@/lib/tokens/bearer';
import { reaches } from '@/lib/tokens/reach';

// The write API over the registry: each call is the console's own domain function, run as the token's creator (same
// authorisation, validation, version check, separation of duties and audit event). This module only translates: a
// slug to the agent (within the token's reach), a person's e-mail to their id, a partial edit onto the agent as it
// is, and names each field as the API spells it.

/** A person, by e-mail (or id). */
const PersonRef = z
  .string('Name the person by e-mail.')
  .trim()
  .min(3, 'Name the person by e-mail.')
  .max(320, 'An e-mail address is at most 320 characters.');

/** Only the keys a body may carry, each named when unknown (values are validated by the domain schema). */
const keysOnly = (keys: readonly string[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.unknown().optional()]))).strict();

async function personId(ref: string, field: string): Promise<string> {
  const person = await getDb().user.findFirst({
    where: { OR: [{ email: ref.toLowerCase() }, { id: ref }] },
    select: { id: true },
  });
  if (!person) throw new Invalid(`Nobody in Custodian is ${ref}.`, { [field]: ['Name a person by their e-mail.'] });
  return person.id;
}

const EDITABLE = ['name', 'description', 'kind', 'workloadIdentity', 'environments', 'riskTier', 'reviewCadenceDays'];

/** The agent a token writes: by slug, within its reach (one answer whether it is missing or out of reach). */
export async function writableAgent(token: TokenActor, slug: string) {
  const agent = await getDb().agent.findUnique({
    where: { slug },
    select: {
      id: true,
      slug: true,
      version: true,
      name: true,
      description: true,
      kind: true,
      workloadIdentity: true,
      environments: true,
      riskTier: true,
      reviewCadenceDays: true,
    },
  });
  if (!agent) throw new NotFound(`No agent with slug ${slug}.`);
  if (!reaches(token.reach, agent))
    throw new Forbidden(`This token does not reach ${slug}: it is scoped to other agents.`);
  return agent;
}

/** The agent's version now: the ETag a response carries. */
export async function currentVersion(agentId: string): Promise<number> {
  return (await getDb().agent.findUniqueOrThrow({ where: { id: agentId }, select: { version: true } })).version;
}

export const CreateAgentBody = keysOnly([...Object.keys(RegisterAgentSchema.shape), 'owner']).omit({ ownerId: true });

/** POST /agents: registers a PROPOSED agent (its owner by e-mail; an OWNER's token registers agents they own). */
export async function apiCreateAgent(token: TokenActor, body: unknown): Promise<{ id: string; slug: string }> {
  const { owner, ...fields } = parseInput(CreateAgentBody, body) as Record<string, unknown>;
  const identity = typeof fields.workloadIdentity === 'string' ? fields.workloadIdentity : null;
  if (!reaches(token.reach, { id: '', workloadIdentity: identity })) {
    throw new Forbidden(
      'This token is scoped to some agents: it registers only agents it would reach (a workload identity under ' +
        'its prefix).',
    );
  }
  const ownerId = owner === undefined ? undefined : await personId(parseInput(PersonRef, owner), 'owner');
  return registerAgent(token.creator, { ...fields, ...(ownerId ? { ownerId } : {}) });
}

export const PatchAgentBody = keysOnly([...EDITABLE, 'reason']);

/**
 * PATCH /agents/{slug}: the fields sent, onto the agent as it is at the version named (If-Match); null removes the
 * workload identity or the cadence override. What loosens a control opens a change request instead (202).
 */
export async function apiPatchAgent(token: TokenActor, slug: string, body: unknown, version: number) {
  const patch = parseInput(PatchAgentBody, body) as Record<string, unknown>;
  const agent = await writableAgent(token, slug);
  const asIs = Object.fromEntries(EDITABLE.map((k) => [k, agent[k as keyof typeof agent] ?? '']));
  const sent = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === null ? '' : v]));
  return { agent, ...(await editAgent(token.creator, { ...asIs, ...sent, id: agent.id, version })) };
}

export const OwnerBody = z.object({ owner: PersonRef }).strict();

/** PUT /agents/{slug}/owner: the accountable owner (ownership.assign: a security lead's token). */
export async function apiAssignOwner(token: TokenActor, slug: string, body: unknown, version: number) {
  const { owner } = parseInput(OwnerBody, body);
  const agent = await writableAgent(token, slug);
  const userId = await personId(owner, 'owner');
  return { agent, message: await assignOwner(token.creator, { agentId: agent.id, version, userId }) };
}

export const PlaneParam = z.enum(PLANES, 'The control plane is IAM, PAM or PLATFORM.');

/** PUT /agents/{slug}/controls/{plane}: who owns one control plane. */
export async function apiAssignControl(token: TokenActor, slug: string, plane: string, body: unknown, version: number) {
  const { owner } = parseInput(OwnerBody, body);
  const which = parseInput(PlaneParam, plane.toUpperCase());
  const agent = await writableAgent(token, slug);
  const userId = await personId(owner, 'owner');
  const result = await assignControlOwner(token.creator, { agentId: agent.id, version, plane: which, userId });
  return { agent, ...result };
}

export const PurposeBody = keysOnly(['task', 'scope', 'environments', 'expiresAt']);

/** POST /agents/{slug}/purposes: proposes a purpose (a security lead independent of the agent approves it). */
export async function apiAddPurpose(token: TokenActor, slug: string, body: unknown) {
  const fields = parseInput(PurposeBody, body);
  const agent = await writableAgent(token, slug);
  return { agent, ...(await addPurpose(token.creator, { ...fields, agentId: agent.id })) };
}

export const StatusBody = keysOnly(['to', 'reason']);

/** POST /agents/{slug}/status: a lifecycle transition, refused with every rule it breaks. */
export async function apiChangeStatus(token: TokenActor, slug: string, body: unknown, version: number) {
  const fields = parseInput(StatusBody, body);
  const agent = await writableAgent(token, slug);
  return { agent, message: await changeAgentStatus(token.creator, { ...fields, id: agent.id, version }) };
}

/** The request bodies as OpenAPI reads them: the domain's own schemas, with the API's names for people. */
export const API_BODIES = {
  CreateAgent: RegisterAgentSchema.omit({ ownerId: true }).extend({
    owner: PersonRef.optional().describe('The accountable owner, by e-mail (an OWNER’s token: themself).'),
  }),
  PatchAgent: AgentFieldsSchema.partial().extend({
    reason: z.string().optional().describe('Why: kept with the change request when a field loosens a control.'),
  }),
  Owner: OwnerBody,
  Purpose: AddPurposeSchema.omit({ agentId: true }),
  Status: ChangeStatusSchema.pick({ to: true, reason: true }),
};
