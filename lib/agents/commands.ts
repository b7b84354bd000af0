import 'server-only';
import type { z } from 'zod';
import { appendAuditEvent, appendAuditEvents, type AuditActor, type AuditEventInput } from '@/lib/audit';
import { can, requireAgentPermission, requirePermission, type Actor } from '@/lib/authz';
import { assertNoPendingRequest, isIndependentLead, openChangeRequest } from '@/lib/change-requests/commands';
import { reviewLooseIssues } from '@/lib/credentials/loose-issue';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { Forbidden, Invalid, NotFound, StaleVersion } from '@/lib/errors';
import { needsEscalation, reachable, REACHABLE_SELECT } from '@/lib/escalation/rules';
import type { Prisma } from '@/lib/generated/prisma/client';
import type { AgentStatus, ControlPlane, RiskTier } from '@/lib/generated/prisma/enums';
import { nextScheduledDue } from '@/lib/reviews/cadence';
import { credentialHands } from '@/lib/reviews/loosened-by';
import { openOrJoinReview } from '@/lib/reviews/triggers';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import { AGENT_STATUS, CONTROL_PLANE, wordOf } from '@/lib/vocabulary';
import { transitionProblems } from './lifecycle';
import { liftProblem, readLifecycleFacts } from './lifecycle-facts';
import { applyGuardedFields, looseningFields, type GuardedField, type GuardedValues } from './loosening';
import { ChangeStatusSchema, EDITABLE_FIELDS, RegisterAgentSchema, UpdateAgentSchema } from './schema';

const userActor = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });

async function nextReviewDue(
  tx: Tx,
  riskTier: RiskTier,
  cadenceOverride: number | null | undefined,
  from = new Date(),
) {
  return nextScheduledDue({ riskTier, reviewCadenceDays: cadenceOverride ?? null }, await getSettings(tx), from);
}

/** A unique slug or workload identity taken, as the field it names; anything else is rethrown. */
export function uniqueFieldError(error: unknown): never {
  if (isUniqueViolation(error, 'slug'))
    throw new Invalid('That slug is taken.', { slug: ['Another agent already uses this slug.'] });
  if (isUniqueViolation(error, 'workloadIdentity')) {
    throw new Invalid('That workload identity is taken.', {
      workloadIdentity: ['Another agent already has this workload identity.'],
    });
  }
  throw error;
}

/** Locks the agent, checks the actor may act on it and the form's version is current. */
export async function lockAgent(
  tx: Tx,
  actor: Actor | null,
  agentId: string,
  version: number,
  permission: 'agent.write' | 'ownership.assign',
) {
  const [row] = await tx.$queryRaw<{ id: string; ownerId: string | null; version: number }[]>`
    SELECT "id", "ownerId", "version" FROM "Agent" WHERE "id" = ${agentId} FOR UPDATE`;
  if (!row) throw new NotFound('That agent does not exist.');
  requireAgentPermission(actor, permission, row.ownerId);
  if (row.version !== version)
    throw new StaleVersion(
      'This agent was changed by someone else. Reload the page to see their change, then try again.',
    );
  return row;
}

export type RegisterData = z.output<typeof RegisterAgentSchema>;
/** Who owns each control plane from the start, by user id (a security lead's registration or import). */
export type PlaneOwners = Partial<Record<ControlPlane, string>>;

/**
 * Registers an agent as PROPOSED. An agent owner registers agents they own; a security lead may name any active owner.
 */
export async function registerAgent(actor: Actor | null, input: unknown): Promise<{ id: string; slug: string }> {
  requirePermission(actor, 'agent.write');
  const data = await readInput(RegisterAgentSchema, input, actor);
  try {
    return await getDb().$transaction((tx) => registerAgentIn(tx, actor, data));
  } catch (error) {
    uniqueFieldError(error);
  }
}

/**
 * registerAgent inside the caller's transaction, for a caller that read its input: with `controls`, a security lead
 * also names who owns each control plane (one `control.assigned` event each, as if assigned right after).
 */
export async function registerAgentIn(
  tx: Tx,
  actor: Actor,
  data: RegisterData,
  controls: PlaneOwners = {},
): Promise<{ id: string; slug: string }> {
  return (await registerAgentsIn(tx, actor, [{ data, controls }]))[0]!;
}

/**
 * Registers many agents in the caller's transaction (the bulk import's batch): the same rules and events as one at a
 * time, in a few statements — the people read once, the agents and control owners inserted together, one append.
 */
export async function registerAgentsIn(
  tx: Tx,
  actor: Actor,
  items: { data: RegisterData; controls?: PlaneOwners }[],
): Promise<{ id: string; slug: string }[]> {
  const mayAssign = can(actor, 'ownership.assign');
  const planned = items.map(({ data, controls = {} }) => ({
    data,
    ownerId: mayAssign ? data.ownerId : actor.id,
    planes: Object.entries(controls) as [ControlPlane, string][],
  }));
  if (planned.some((p) => p.planes.length > 0)) requirePermission(actor, 'ownership.assign');
  const ids = new Set(planned.flatMap((p) => [...(p.ownerId ? [p.ownerId] : []), ...p.planes.map(([, id]) => id)]));
  const people = await tx.user.findMany({
    where: { id: { in: [...ids] }, active: true },
    select: { id: true, name: true },
  });
  const person = new Map(people.map((p) => [p.id, p]));
  for (const { ownerId, planes } of planned) {
    if (ownerId && !person.has(ownerId))
      throw new Invalid('Choose an active person as the owner.', { ownerId: ['That person is not active.'] });
    const inactive = planes.find(([, id]) => !person.has(id));
    if (inactive) {
      throw new Invalid(`Choose an active person to own ${wordOf(CONTROL_PLANE, inactive[0])}.`, {
        [inactive[0]]: ['That person is not active.'],
      });
    }
  }
  const settings = await getSettings(tx);
  const now = new Date();
  const dueOf = (data: (typeof planned)[number]['data']) =>
    nextScheduledDue({ riskTier: data.riskTier, reviewCadenceDays: data.reviewCadenceDays ?? null }, settings, now);
  const agents = await tx.agent.createManyAndReturn({
    data: planned.map(({ data, ownerId }) => ({
      slug: data.slug,
      name: data.name,
      description: data.description,
      kind: data.kind,
      workloadIdentity: data.workloadIdentity ?? null,
      environments: data.environments,
      riskTier: data.riskTier,
      reviewCadenceDays: data.reviewCadenceDays ?? null,
      nextReviewDue: dueOf(data),
      ownerId: ownerId ?? null,
    })),
    select: { id: true, slug: true },
  });
  const idOf = new Map(agents.map((a) => [a.slug, a.id]));
  await tx.controlAssignment.createMany({
    data: planned.flatMap(({ data, planes }) =>
      planes.map(([plane, userId]) => ({ agentId: idOf.get(data.slug)!, plane, userId, assignedById: actor.id })),
    ),
  });
  const events = planned.flatMap(({ data, ownerId, planes }): AuditEventInput[] => {
    const agentId = idOf.get(data.slug)!;
    const oneHoldsAll = planes.length === 3 && new Set(planes.map(([, id]) => id)).size === 1;
    return [
      {
        action: 'agent.created',
        actor: userActor(actor),
        agentId,
        details: {
          slug: data.slug,
          name: data.name,
          riskTier: data.riskTier,
          status: 'PROPOSED',
          kind: data.kind,
          reviewCadenceDays: data.reviewCadenceDays ?? null,
          environments: data.environments,
          workloadIdentity: data.workloadIdentity ?? null,
          // What the issuance gate and the review queue read: the registry check holds the row to it.
          nextReviewDue: dueOf(data).toISOString(),
        },
      },
      ...(ownerId
        ? [
            {
              action: 'owner.assigned',
              actor: userActor(actor),
              agentId,
              details: { from: null, to: person.get(ownerId)! },
            } as AuditEventInput,
          ]
        : []),
      ...planes.map(([plane, userId]) =>
        controlAssigned(actor, agentId, plane, null, person.get(userId)!, oneHoldsAll),
      ),
    ];
  });
  await appendAuditEvents(tx, events);
  return planned.map(({ data }) => ({ id: idOf.get(data.slug)!, slug: data.slug }));
}

type Person = { id: string; name: string | null };

/** The event of a control plane changing hands; one person holding all three is flagged. */
export function controlAssigned(
  actor: Actor,
  agentId: string,
  plane: ControlPlane,
  from: Person | null,
  to: Person,
  separationOfDutiesWarning: boolean,
): AuditEventInput<'control.assigned'> {
  return {
    action: 'control.assigned',
    actor: userActor(actor),
    agentId,
    details: { plane, from, to, ...(separationOfDutiesWarning ? { separationOfDutiesWarning } : {}) },
  };
}

/**
 * Edits an agent. A change that loosens a control (lower tier, longer
 * cadence, workload identity removed or replaced, production added) applies
 * at once only for a security lead independent of the agent; from anyone
 * else it becomes a change request that such a lead decides, and the rest of
 * the edit applies now. Tightening applies at once.
 */
export async function updateAgent(actor: Actor | null, input: unknown): Promise<string> {
  return (await editAgent(actor, input)).message;
}

/**
 * updateAgent, also naming the change request it opened for what loosens (the API answers 202 with it). With
 * `notIndependent` (a token: the workload it governs may hold it; a file that also changes who holds the agent), the
 * actor never counts as a security lead independent of the agent: every loosening waits for a person.
 */
export async function editAgent(
  actor: Actor | null,
  input: unknown,
  options: { notIndependent?: boolean } = {},
): Promise<EditResult> {
  requirePermission(actor, 'agent.write');
  const data = await readInput(UpdateAgentSchema, input, actor);
  try {
    return await getDb().$transaction((tx) => editAgentIn(tx, actor, data, options));
  } catch (error) {
    uniqueFieldError(error);
  }
}

export type EditResult = { message: string; changeRequestId: string | null };

/** editAgent inside the caller's transaction, for a caller that read its input. */
export async function editAgentIn(
  tx: Tx,
  actor: Actor,
  data: z.output<typeof UpdateAgentSchema>,
  options: { notIndependent?: boolean } = {},
): Promise<EditResult> {
  await lockAgent(tx, actor, data.id, data.version, 'agent.write');
  const before = await tx.agent.findUniqueOrThrow({ where: { id: data.id } });
  const next = {
    ...data,
    workloadIdentity: data.workloadIdentity ?? null,
    reviewCadenceDays: data.reviewCadenceDays ?? null,
  };
  const changed = EDITABLE_FIELDS.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
  const saved = (message: string, changeRequestId: string | null = null) => ({ message, changeRequestId });
  if (changed.length === 0) return saved('Nothing changed.');
  const loosening = looseningFields(before, next, await getSettings(tx));
  const direct = loosening.length === 0 || (!options.notIndependent && (await isIndependentLead(tx, actor, data.id)));
  const now = changed.filter((k) => !(loosening as string[]).includes(k));
  if (now.length > 0) {
    const changes = Object.fromEntries(now.map((k) => [k, { from: before[k], to: next[k] }]));
    const after = { ...before, ...Object.fromEntries(now.map((k) => [k, next[k]])) };
    // A retired agent is reviewed no more, whatever its tier.
    const reschedules = (now.includes('riskTier') || now.includes('reviewCadenceDays')) && before.status !== 'RETIRED';
    // A tighter tier or cadence brings the review forward, never puts it off: the owner could otherwise clear an
    // overdue review by shortening the cadence a day.
    const scheduled = reschedules ? await nextReviewDue(tx, after.riskTier, after.reviewCadenceDays) : undefined;
    const due =
      scheduled && before.nextReviewDue && before.nextReviewDue < scheduled ? before.nextReviewDue : scheduled;
    await tx.agent.update({
      where: { id: data.id },
      data: {
        ...Object.fromEntries(now.map((k) => [k, next[k]])),
        ...(due ? { nextReviewDue: due } : {}),
        version: { increment: 1 },
      },
    });
    await appendAuditEvent(tx, {
      action: 'agent.updated',
      actor: userActor(actor),
      agentId: data.id,
      // The registry check holds the row to the date an update sets, or to the one before it: never copied from the
      // row, which would write a date moved in the database into the record.
      details: { changes, ...(due ? { nextReviewDue: due.toISOString() } : { nextReviewKept: true }) },
    });
    if (now.includes('environments') && before.status !== 'PROPOSED')
      await openOrJoinReview(tx, userActor(actor), data.id, 'ENVIRONMENT_CHANGED');
  }
  if (loosening.length === 0) {
    // A tier raised on an agent in service tightens at once; say what it now needs rather than refuse it.
    const unpaged =
      now.includes('riskTier') &&
      before.status !== 'PROPOSED' &&
      before.status !== 'RETIRED' &&
      needsEscalation(next.riskTier) &&
      !reachable(
        await tx.escalationContact.findUnique({
          where: { agentId: data.id },
          select: REACHABLE_SELECT,
        }),
      );
    return saved(
      unpaged ? 'Saved. At this tier it needs an escalation contact: set one in its Escalation section.' : 'Saved.',
    );
  }
  const values = Object.fromEntries(loosening.map((k) => [k, next[k]])) as Partial<GuardedValues>;
  if (direct) {
    await applyGuardedFields(tx, userActor(actor), data.id, values);
    return saved('Saved. The loosened fields open (or join) the agent’s lifecycle review.');
  }
  await assertNoPendingRequest(tx, { kind: 'AGENT_LOOSENING', agentId: data.id });
  const changeRequestId = await openChangeRequest(tx, actor, {
    kind: 'AGENT_LOOSENING',
    agentId: data.id,
    from: Object.fromEntries(judgedAgainst(loosening).map((k) => [k, before[k]])) as Prisma.InputJsonValue,
    to: values as Prisma.InputJsonValue,
    reason: data.reason ?? 'Asked for from the agent’s edit form.',
  });
  return saved(
    `${now.length > 0 ? 'Saved what tightens or describes it. ' : ''}Pending approval: ` +
      `${loosening.map((k) => LOOSENING_WORDS[k]).join(', ')} ${loosening.length === 1 ? 'loosens' : 'loosen'} ` +
      'a control, so a security lead who neither owns nor controls this agent decides.',
    changeRequestId,
  );
}

/**
 * What a loosening request records as it was: the fields asked for and, with a cadence or a tier, the other of the
 * two (not shown, as it is not asked for): together they make the effective cadence the approver judges. A tier
 * raised, or a cadence override removed, before the approval is then a conflict, not a longer wait than anyone
 * judged.
 */
function judgedAgainst(loosening: GuardedField[]): GuardedField[] {
  const cadence: GuardedField[] = ['riskTier', 'reviewCadenceDays'];
  return cadence.some((k) => loosening.includes(k))
    ? [...loosening, ...cadence.filter((k) => !loosening.includes(k))]
    : loosening;
}

const LOOSENING_WORDS: Record<GuardedField, string> = {
  riskTier: 'a lower risk tier',
  reviewCadenceDays: 'a longer review cadence',
  workloadIdentity: 'a changed or removed workload identity',
  environments: 'production access',
};

/**
 * Moves an agent to a new status inside the caller's transaction, for a
 * caller that has authorised it (changeAgentStatus, or a review's outcome):
 * refused, naming every lifecycle rule it breaks.
 */
export async function applyStatusChange(
  tx: Tx,
  actor: Actor,
  agentId: string,
  to: AgentStatus,
  reason: string,
  reviewId?: string,
): Promise<void> {
  const facts = await readLifecycleFacts(tx, agentId);
  const agent = { status: facts.status };
  const problems = transitionProblems(facts, to);
  if (problems.length > 0) throw new Invalid(`Cannot make it ${wordOf(AGENT_STATUS, to)}: ${problems.join(' ')}`);
  await tx.agent.update({
    where: { id: agentId },
    data: { status: to, ...(to === 'RETIRED' ? { nextReviewDue: null } : {}), version: { increment: 1 } },
  });
  await appendAuditEvent(tx, {
    action: 'agent.status_changed',
    actor: userActor(actor),
    agentId,
    details: { from: agent.status, to, reason, ...(reviewId ? { reviewId } : {}) },
  });
  if (to === 'RETIRED' && !reviewId) await closeOpenReviewOnRetirement(tx, actor, agentId, reason);
  // Credentials recorded loose while it was proposed (no review then: approving it was to be its review) are
  // reviewed once it is in service, unless whoever puts it in service is a lead independent of it.
  if (agent.status === 'PROPOSED' && to === 'ACTIVE') {
    const live = await tx.credential.findMany({ where: { agentId, revokedAt: null } });
    // Whoever recorded or loosened them does not review them either.
    await reviewLooseIssues(tx, actor, userActor(actor), live, { loosenedBy: await credentialHands(tx, agentId) });
  }
}

/** A retired agent needs no review: its open one closes with the RETIRED outcome, saying so. */
async function closeOpenReviewOnRetirement(tx: Tx, actor: Actor, agentId: string, reason: string) {
  const open = await tx.review.findUnique({
    where: { openForAgent: agentId },
    select: { id: true, triggers: true, campaignId: true },
  });
  if (!open) return;
  const notes = `Closed because the agent was retired outside the review: ${reason}`;
  const completedAt = new Date();
  await tx.review.update({
    where: { id: open.id },
    data: {
      completedAt,
      completedById: actor.id,
      outcome: 'RETIRED',
      notes,
      openForAgent: null,
      version: { increment: 1 },
    },
  });
  await appendAuditEvent(tx, {
    action: 'review.completed',
    actor: userActor(actor),
    agentId,
    details: {
      reviewId: open.id,
      outcome: 'RETIRED',
      notes,
      triggers: open.triggers,
      campaignId: open.campaignId,
      nextReviewDue: null,
      completedAt: completedAt.toISOString(),
    },
  });
}

/** Moves an agent through its lifecycle; a refused move names every rule it breaks. */
export async function changeAgentStatus(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'agent.write');
  const data = await readInput(ChangeStatusSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const agent = await lockAgent(tx, actor, data.id, data.version, 'agent.write');
    const status = (await tx.agent.findUniqueOrThrow({ where: { id: agent.id }, select: { status: true } })).status;
    if (status === 'SUSPENDED' && data.to === 'ACTIVE') {
      const problem = await liftProblem(tx, actor, data.id);
      if (problem) throw new Forbidden(problem);
    }
    await applyStatusChange(tx, actor, data.id, data.to, data.reason);
    return `Now ${wordOf(AGENT_STATUS, data.to)}.`;
  });
}
