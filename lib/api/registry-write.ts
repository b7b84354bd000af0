import 'server-only';
import { z } from 'zod';
import { changeAgentStatus, editAgent, registerAgent } from '@/lib/agents/commands';
import {
  AgentFieldsSchema,
  ChangeStatusSchema,
  EDITABLE_FIELDS,
  PLANES,
  RegisterAgentSchema,
} from '@/lib/agents/schema';
import { can, requirePermission } from '@/lib/authz';
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

/** A person by e-mail (any case) or id, active: each refusal names the field. */
async function personId(ref: unknown, field: string): Promise<string> {
  const parsed = PersonRef.safeParse(ref);
  if (!parsed.success) throw new Invalid('Name the person by e-mail.', { [field]: ['Name a person by their e-mail.'] });
  const found = await getDb().user.findMany({
    where: { OR: [{ email: { equals: parsed.data, mode: 'insensitive' } }, { id: parsed.data }] },
    select: { id: true, active: true },
    take: 2,
  });
  if (found.length !== 1 || !found[0]!.active) {
    throw new Invalid(`No one active in Custodian is ${parsed.data}.`, {
      [field]: [found.length > 1 ? 'Two people match: name them by id.' : 'Name an active person by their e-mail.'],
    });
  }
  return found[0]!.id;
}

/** The agent a token writes: by slug, within its reach. */
export async function writableAgent(token: TokenActor, slug: string) {
  const agent = await getDb().agent.findUnique({
    where: { slug },
    select: {
      id: true,
      slug: true,
      version: true,
      status: true,
      name: true,
      description: true,
      kind: true,
      workloadIdentity: true,
      environments: true,
      riskTier: true,
      reviewCadenceDays: true,
    },
  });
  // One answer whether it is missing or beyond the token's reach: a scoped token learns nothing of other agents.
  if (!agent || !reaches(token.reach, agent)) throw new NotFound(`No agent with slug ${slug} that this token reaches.`);
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
  requireWithinReach(token, fields.workloadIdentity);
  // Naming someone else as owner needs ownership.assign, checked before anyone is looked up.
  if (owner !== undefined && !can(token.creator, 'ownership.assign')) {
    throw new Forbidden('This token’s creator registers agents they own: leave out owner, or ask a security lead.');
  }
  const ownerId = owner === undefined ? undefined : await personId(owner, 'owner');
  return registerAgent(token.creator, { ...fields, ...(ownerId ? { ownerId } : {}) });
}

/** A workload identity a scoped token may set: one under its prefix (the domain schema parses it first). */
function requireWithinReach(token: TokenActor, identity: unknown, agentId = ''): void {
  if (token.reach.kind === 'ALL') return;
  const parsed = AgentFieldsSchema.shape.workloadIdentity.safeParse(identity ?? undefined);
  const value = parsed.success ? (parsed.data ?? null) : null;
  if (!reaches(token.reach, { id: agentId, workloadIdentity: value })) {
    throw new Forbidden(
      'This token is scoped to some agents: an agent it writes keeps a workload identity under its prefix.',
    );
  }
}

export const PatchAgentBody = keysOnly([...EDITABLE_FIELDS, 'reason']);

/**
 * PATCH /agents/{slug}: the fields sent, onto the agent as it is at the version named (If-Match); null removes the
 * workload identity or the cadence override. What loosens a control opens a change request instead (202).
 */
export async function apiPatchAgent(token: TokenActor, slug: string, body: unknown, version: number) {
  const patch = parseInput(PatchAgentBody, body) as Record<string, unknown>;
  const agent = await writableAgent(token, slug);
  // The agent stays within the token's reach: a scoped token cannot move it out (or into another team's prefix).
  if ('workloadIdentity' in patch) requireWithinReach(token, patch.workloadIdentity, agent.id);
  const asIs = Object.fromEntries(EDITABLE_FIELDS.map((k) => [k, agent[k as keyof typeof agent] ?? '']));
  const sent = Object.fromEntries(Object.entries(patch).map(([k, v]) => [k, v === null ? '' : v]));
  return {
    agent,
    ...(await editAgent(token.creator, { ...asIs, ...sent, id: agent.id, version }, { notIndependent: true })),
  };
}

export const OwnerBody = z.object({ owner: z.unknown().optional() }).strict();

/** PUT /agents/{slug}/owner: the accountable owner (ownership.assign: a security lead's token). */
export async function apiAssignOwner(token: TokenActor, slug: string, body: unknown, version: number) {
  const { owner } = parseInput(OwnerBody, body);
  const agent = await writableAgent(token, slug);
  requirePermission(token.creator, 'ownership.assign');
  const userId = await personId(owner, 'owner');
  return { agent, message: await assignOwner(token.creator, { agentId: agent.id, version, userId }) };
}

export const PlaneParam = z.enum(PLANES, 'The control plane is IAM, PAM or PLATFORM.');

/** PUT /agents/{slug}/controls/{plane}: who owns one control plane. */
export async function apiAssignControl(token: TokenActor, slug: string, plane: string, body: unknown, version: number) {
  const { owner } = parseInput(OwnerBody, body);
  const which = parseInput(PlaneParam, plane.toUpperCase());
  const agent = await writableAgent(token, slug);
  requirePermission(token.creator, 'ownership.assign');
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
  // A suspension is lifted by a person in the console: the workload it stopped may hold this token.
  if (agent.status === 'SUSPENDED' && fields.to === 'ACTIVE') {
    throw new Forbidden('A suspension is lifted in the console, by a security lead independent of the agent.');
  }
  return { agent, message: await changeAgentStatus(token.creator, { ...fields, id: agent.id, version }) };
}

/** The request bodies as OpenAPI reads them: the domain's own schemas, with the API's names for people. */
export const API_BODIES = {
  CreateAgent: RegisterAgentSchema.omit({ ownerId: true }).extend({
    owner: PersonRef.optional().describe('The accountable owner, by e-mail (an OWNER’s token: themself).'),
  }),
  PatchAgent: AgentFieldsSchema.partial()
    .extend({
      workloadIdentity: AgentFieldsSchema.shape.workloadIdentity.nullable().describe('null removes it.'),
      reviewCadenceDays: AgentFieldsSchema.shape.reviewCadenceDays.nullable().describe('null: the tier’s cadence.'),
      reason: z.string().max(500).optional().describe('Why: kept with the change request when a field loosens.'),
    })
    .strict(),
  Owner: z.object({ owner: PersonRef.describe('The person, by e-mail.') }).strict(),
  Purpose: AddPurposeSchema.omit({ agentId: true }),
  Status: ChangeStatusSchema.pick({ to: true, reason: true }),
};
