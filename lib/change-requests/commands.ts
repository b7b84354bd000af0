import 'server-only';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { can, requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db, type Tx } from '@/lib/db';
import { Conflict, Forbidden, Invalid, NotFound } from '@/lib/errors';
import type { ChangeRequestKind, ChangeRequestStatus, Prisma } from '@/lib/generated/prisma/client';
import { applyRedaction } from '@/lib/redactions/commands';
import { readInput } from '@/lib/secrets/read-input';
import { LATELY_DAYS, standingGivenBy } from '@/lib/users/standing';
import { CHANGE_REQUEST_STATUS, wordOf } from '@/lib/vocabulary';
import { applyChange } from './apply';
import { DecideChangeSchema, WithdrawChangeSchema } from './schema';

const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });

export type NewChangeRequest = {
  kind: ChangeRequestKind;
  agentId?: string;
  credentialId?: string;
  targetUserId?: string;
  settingKey?: string;
  from: Prisma.InputJsonValue;
  to: Prisma.InputJsonValue;
  reason: string;
};

/**
 * Opens a change request inside the caller's transaction (the edit that
 * needed it), with its `change.requested` event. Nothing it asks for
 * changes until a second person applies it.
 */
export async function openChangeRequest(tx: Tx, actor: Actor, request: NewChangeRequest): Promise<string> {
  const { id } = await tx.changeRequest.create({
    data: { ...request, requestedById: actor.id },
    select: { id: true },
  });
  await appendAuditEvent(tx, {
    action: 'change.requested',
    actor: who(actor),
    agentId: request.agentId ?? null,
    credentialId: request.credentialId ?? null,
    details: {
      changeRequestId: id,
      kind: request.kind,
      reason: request.reason,
      from: request.from,
      to: request.to,
      ...(request.targetUserId ? { userId: request.targetUserId } : {}),
      ...(request.settingKey ? { key: request.settingKey } : {}),
    },
  });
  return id;
}

async function lockRequest(tx: Tx, id: string, version: number) {
  const [row] = await tx.$queryRaw<
    {
      id: string;
      kind: ChangeRequestKind;
      status: ChangeRequestStatus;
      agentId: string | null;
      credentialId: string | null;
      targetUserId: string | null;
      settingKey: string | null;
      from: Prisma.JsonValue;
      to: Prisma.JsonValue;
      requestedById: string;
      version: number;
      createdAt: Date;
    }[]
  >`
    SELECT "id", "kind", "status", "agentId", "credentialId", "targetUserId", "settingKey", "from", "to",
      "requestedById", "version", "createdAt"
    FROM "ChangeRequest" WHERE "id" = ${id} FOR UPDATE`;
  if (!row) throw new NotFound('That change request does not exist.');
  if (row.status !== 'PENDING') {
    throw new Conflict(`This change request is already ${wordOf(CHANGE_REQUEST_STATUS, row.status)}.`);
  }
  if (row.version !== version) throw new Conflict('This change request changed since you opened it. Reload the page.');
  return row;
}

export type LockedChangeRequest = Awaited<ReturnType<typeof lockRequest>>;

/**
 * Who may decide, read now (not when the request was made): a security lead
 * other than the requester, who is not the person a role would go to, and
 * neither the owner nor a control owner of the agent concerned.
 */
async function decisionProblem(tx: Tx, actor: Actor, request: LockedChangeRequest): Promise<string | null> {
  if (request.requestedById === actor.id) {
    return 'You asked for this change, so someone else decides it: separation of duties.';
  }
  if (request.targetUserId === actor.id) return 'This change is about you: another security lead decides it.';
  if (request.agentId && (await heldAgent(tx, actor.id, request.agentId))) {
    return 'You own or hold a control plane of this agent (or did lately): a security lead independent of it decides.';
  }
  return null;
}

/** Requests only a security lead opens: approving one when its requester is no longer a lead applies their word. */
const LEAD_KINDS = new Set(['ROLE_GRANT', 'SETTINGS_LOOSENING']);

/**
 * What stops an approval, read now: a requester who has left (or, for a lead's request, is no longer a lead), or a
 * decider whose standing the requester gave lately (standingGivenBy), who is no second person.
 */
async function approvalProblem(tx: Tx, actor: Actor, request: LockedChangeRequest): Promise<string | null> {
  const requester = await tx.user.findUnique({
    where: { id: request.requestedById },
    select: { active: true, roles: true },
  });
  if (!requester?.active) return 'The person who asked for this change is no longer active: reject it instead.';
  if (LEAD_KINDS.has(request.kind) && !requester.roles.includes('ADMIN')) {
    return 'The person who asked for this change is no longer a security lead: reject it instead.';
  }
  if (await standingGivenBy(tx, request.requestedById, actor.id, request.createdAt)) {
    return 'The person who asked for this change made you a decider (a role or a reactivation): another lead decides.';
  }
  return null;
}

/** Whether the person is the agent's accountable owner or holds one of its control planes, now. */
export async function holdsAgent(db: Db | Tx, userId: string, agentId: string): Promise<boolean> {
  const agent = await db.agent.findUnique({
    where: { id: agentId },
    select: { ownerId: true, controlAssignments: { where: { userId }, select: { plane: true } } },
  });
  return Boolean(agent && (agent.ownerId === userId || agent.controlAssignments.length > 0));
}

/**
 * Whether the person holds the agent now (holdsAgent) or did in the last 30 days: independence is not had by handing
 * an agent to someone else, deciding about it, and taking it back.
 */
export async function heldAgent(db: Db | Tx, userId: string, agentId: string): Promise<boolean> {
  if (await holdsAgent(db, userId, agentId)) return true;
  const [held] = await db.$queryRaw<{ held: number }[]>`
    SELECT 1 AS "held" FROM "AuditEvent" e
    WHERE e."agentId" = ${agentId} AND e."action" IN ('owner.assigned', 'control.assigned')
      AND e."details"->'from'->>'id' = ${userId}
      AND e."recordedAt" > now() - make_interval(days => ${LATELY_DAYS})
    LIMIT 1`;
  return held !== undefined;
}

/** A security lead who neither holds the agent nor did lately (heldAgent): may loosen it directly. */
export async function isIndependentLead(tx: Db | Tx, actor: Actor, agentId: string): Promise<boolean> {
  return can(actor, 'change.decide') && !(await heldAgent(tx, actor.id, agentId));
}

/** Applies or rejects a pending change request, with a reason; the rule is read at this moment. */
export async function decideChangeRequest(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, can(actor, 'audit.redact.decide') ? 'audit.redact.decide' : 'change.decide');
  const data = await readInput(DecideChangeSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const request = await lockRequest(tx, data.changeRequestId, data.version);
    // A redaction is decided by an auditor; every other change by a security lead.
    const redaction = request.kind === 'AUDIT_REDACTION';
    requirePermission(actor, redaction ? 'audit.redact.decide' : 'change.decide');
    const problem = await decisionProblem(tx, actor, request);
    if (problem) throw new Forbidden(problem);
    const applied = data.outcome === 'APPROVE';
    const refused = applied && !redaction ? await approvalProblem(tx, actor, request) : null;
    if (refused) throw new Forbidden(refused);
    if (applied && !redaction) await applyChange(tx, actor, request);
    await tx.changeRequest.update({
      where: { id: request.id },
      data: {
        status: applied ? 'APPLIED' : 'REJECTED',
        decidedById: actor.id,
        decisionReason: data.reason,
        decidedAt: new Date(),
        version: { increment: 1 },
      },
    });
    await appendAuditEvent(tx, {
      action: applied ? 'change.applied' : 'change.rejected',
      actor: who(actor),
      agentId: request.agentId,
      credentialId: request.credentialId,
      details: { changeRequestId: request.id, kind: request.kind, reason: data.reason },
    });
    // After its approval is on the chain: the database's redaction function checks that it is.
    if (applied && redaction) await applyRedaction(tx, actor, request);
    return applied ? 'Approved and applied.' : 'Rejected: nothing changed.';
  });
}

/** The requester takes back a pending request. */
export async function withdrawChangeRequest(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'agent.read');
  const data = await readInput(WithdrawChangeSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const request = await lockRequest(tx, data.changeRequestId, data.version);
    if (request.requestedById !== actor.id) throw new Forbidden('Only the person who asked for a change withdraws it.');
    await tx.changeRequest.update({
      where: { id: request.id },
      data: { status: 'WITHDRAWN', version: { increment: 1 } },
    });
    await appendAuditEvent(tx, {
      action: 'change.withdrawn',
      actor: who(actor),
      agentId: request.agentId,
      credentialId: request.credentialId,
      details: { changeRequestId: request.id, kind: request.kind },
    });
    return 'Withdrawn.';
  });
}

/** Refuses a request to change something that already has one waiting (decide or withdraw that one first). */
export async function assertNoPendingRequest(tx: Tx, where: Prisma.ChangeRequestWhereInput): Promise<void> {
  const pending = await tx.changeRequest.findFirst({ where: { ...where, status: 'PENDING' }, select: { id: true } });
  if (pending) {
    throw new Invalid('A change of this already waits for a second person: decide or withdraw it first.');
  }
}
