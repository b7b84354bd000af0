import 'server-only';
import { lockAgentRows, lockParentAgent } from '@/lib/agents/locks';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { requireAgentPermission, requirePermission, type Actor } from '@/lib/authz';
import { assertNoPendingRequest, isIndependentLead, openChangeRequest } from '@/lib/change-requests/commands';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { Conflict, Invalid, NotFound } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import { openOrJoinReview } from '@/lib/reviews/triggers';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from '@/lib/settings';
import { reviewLooseIssues } from './loose-issue';
import {
  CREDENTIAL_EDITABLE,
  CREDENTIAL_LOOSENING_WORDS,
  credentialLooseningFields,
  type CredentialGuardedField,
  type CredentialSettings,
} from './loosening';
import { credentialRecord } from './record';
import { approvedRotation, heldSettings } from './rotation-period';
import {
  IssueCredentialSchema,
  RecordUseSchema,
  RevokeCredentialSchema,
  RotateCredentialSchema,
  UpdateCredentialSchema,
} from './schema';

const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });

type LockedCredential = {
  id: string;
  agentId: string;
  name: string;
  revokedAt: Date | null;
  ownerId: string | null;
  version: number;
};

/** Locks the credential row; the caller authorises against the agent's owner. */
export async function lockCredential(tx: Tx, credentialId: string): Promise<LockedCredential> {
  await lockParentAgent(tx, 'Credential', credentialId);
  const [row] = await tx.$queryRaw<LockedCredential[]>`
    SELECT c."id", c."agentId", c."name", c."revokedAt", c."version", a."ownerId"
    FROM "Credential" c JOIN "Agent" a ON a."id" = c."agentId" WHERE c."id" = ${credentialId} FOR UPDATE OF c`;
  if (!row) throw new NotFound('That credential does not exist.');
  return row;
}

async function lockForWrite(tx: Tx, actor: Actor, credentialId: string) {
  const credential = await lockCredential(tx, credentialId);
  requireAgentPermission(actor, 'credential.write', credential.ownerId);
  return credential;
}

/**
 * The revocation itself, inside the caller's transaction, for a caller that
 * has authorised it: revokeCredential, or a review's reductions (`reviewId`).
 */
export async function applyCredentialRevocation(
  tx: Tx,
  actor: Actor,
  credential: LockedCredential,
  reason: string,
  reviewId?: string,
) {
  if (credential.revokedAt) throw new Conflict(`${credential.name} is already revoked.`);
  await tx.credential.update({
    where: { id: credential.id },
    data: { revokedAt: new Date(), revokedById: actor.id, revokeReason: reason, version: { increment: 1 } },
  });
  await appendAuditEvent(tx, {
    action: 'credential.revoked',
    actor: who(actor),
    agentId: credential.agentId,
    credentialId: credential.id,
    details: { name: credential.name, reason, ...(reviewId ? { reviewId } : {}) },
  });
}

/**
 * Records a credential issued to an agent: custody metadata only. One loose from the start opens or joins the
 * agent's lifecycle review unless a security lead independent of the agent issued it (reviewLooseIssues).
 */
export async function issueCredential(actor: Actor | null, input: unknown): Promise<{ id: string; reviewed: boolean }> {
  requirePermission(actor, 'credential.write');
  const data = await readInput(IssueCredentialSchema, input, actor);
  try {
    return await getDb().$transaction(async (tx) => {
      // The agent first, as every write locks it before the chain head: a review this opens locks it again.
      await lockAgentRows(tx, [data.agentId]);
      const agent = await tx.agent.findUnique({
        where: { id: data.agentId },
        select: { ownerId: true, status: true, environments: true },
      });
      if (!agent) throw new NotFound('That agent does not exist.');
      requireAgentPermission(actor, 'credential.write', agent.ownerId);
      if (agent.status === 'RETIRED') throw new Invalid('A retired agent is issued no credentials.');
      // A credential never reaches past the agent's environments: adding one to the agent is its own (guarded) change.
      if (!agent.environments.includes(data.environment)) {
        throw new Invalid('The agent does not run in that environment.', {
          environment: ['Add the environment to the agent first (production waits for a second person).'],
        });
      }
      const { reason, agentId, ...fields } = data;
      // A period longer than the policy's is a loosening at issue as at an edit: a security lead independent of the
      // agent states it (and it is approved); anyone else issues it with the policy's and asks for the longer one.
      const { credentialRotationDays } = await getSettings(tx);
      const longer = (fields.rotationPeriodDays ?? 0) > credentialRotationDays;
      if (longer && !(await isIndependentLead(tx, actor, agentId))) {
        throw new Invalid('The rotation period is longer than the policy allows.', {
          rotationPeriodDays: [
            `At most the policy's ${credentialRotationDays} days when you issue it. Issue it, then ask for the ` +
              'longer period from its edit form: a security lead who neither owns nor controls this agent decides.',
          ],
        });
      }
      const credential = await tx.credential.create({
        data: {
          agentId,
          ...fields,
          secretRef: fields.secretRef ?? null,
          lastRotatedAt: new Date(),
          rotationApprovedDays: longer ? fields.rotationPeriodDays : null,
        },
        select: { id: true },
      });
      await appendAuditEvent(tx, {
        action: 'credential.issued',
        actor: who(actor),
        agentId,
        credentialId: credential.id,
        details: {
          name: data.name,
          kind: data.kind,
          ...(reason ? { reason } : {}),
          record: credentialRecord({ ...fields, rotationApprovedDays: longer ? fields.rotationPeriodDays : null }),
        },
      });
      const reviewed = await reviewLooseIssues(tx, actor, who(actor), [{ id: credential.id, agentId, ...fields }]);
      return { ...credential, reviewed: reviewed.has(agentId) };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new Invalid('That name is taken.', {
        name: ['This agent already has a credential with this name. Revoked ones keep their name: choose a new one.'],
      });
    throw error;
  }
}

/**
 * Writes credential fields (the credential locked by the caller) with one
 * `credential.updated` event. Fields that loosen a control, once applied,
 * open or join the agent's lifecycle review.
 */
export async function applyCredentialFields(
  tx: Tx,
  actor: AuditActor,
  credential: LockedCredential,
  values: Partial<CredentialSettings>,
  options: { loosened: CredentialGuardedField[]; changeRequestId?: string },
): Promise<void> {
  const before = await tx.credential.findUniqueOrThrow({ where: { id: credential.id } });
  const fields = (Object.keys(values) as (keyof CredentialSettings)[]).filter((k) => before[k] !== values[k]);
  if (fields.length === 0) return;
  const approved = fields.includes('rotationPeriodDays')
    ? approvedRotation(before, values.rotationPeriodDays ?? null, {
        loosened: options.loosened.includes('rotationPeriodDays'),
        policyDays: (await getSettings(tx)).credentialRotationDays,
      })
    : undefined;
  await tx.credential.update({
    where: { id: credential.id },
    data: {
      ...Object.fromEntries(fields.map((k) => [k, values[k]])),
      ...(approved !== undefined ? { rotationApprovedDays: approved } : {}),
      version: { increment: 1 },
    },
  });
  // The approval moves with the period: recorded as a change, so the registry check replays it.
  const approval: Record<string, { from: number | null; to: number | null }> =
    approved !== undefined && approved !== before.rotationApprovedDays
      ? { rotationApprovedDays: { from: before.rotationApprovedDays, to: approved } }
      : {};
  await appendAuditEvent(tx, {
    action: 'credential.updated',
    actor,
    agentId: credential.agentId,
    credentialId: credential.id,
    details: {
      name: credential.name,
      changes: { ...Object.fromEntries(fields.map((k) => [k, { from: before[k], to: values[k] }])), ...approval },
      ...(options.changeRequestId ? { changeRequestId: options.changeRequestId } : {}),
    },
  });
  const agent = await tx.agent.findUniqueOrThrow({ where: { id: credential.agentId }, select: { status: true } });
  if (options.loosened.some((k) => fields.includes(k)) && agent.status !== 'PROPOSED') {
    // Who asked for an approved loosening does not review it, as the one who applies it does not.
    const request = options.changeRequestId
      ? await tx.changeRequest.findUniqueOrThrow({
          where: { id: options.changeRequestId },
          select: { requestedById: true },
        })
      : null;
    await openOrJoinReview(tx, actor, credential.agentId, 'CREDENTIAL_LOOSENED', {
      loosenedBy: request ? [request.requestedById] : [],
    });
  }
}

/**
 * Edits a credential's custody metadata. Tightening applies at once;
 * loosening (unbinding, a longer TTL or rotation period, privilege, weaker
 * storage) applies at once only for a security lead independent of the
 * agent, and otherwise becomes a change request such a lead decides.
 */
export async function updateCredential(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'credential.write');
  const data = await readInput(UpdateCredentialSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const credential = await lockForWrite(tx, actor, data.credentialId);
    if (credential.revokedAt) throw new Invalid('This credential is revoked: its record no longer changes.');
    if (credential.version !== data.version) {
      throw new Conflict('This credential was changed by someone else. Reload the page and try again.');
    }
    const before = await tx.credential.findUniqueOrThrow({ where: { id: credential.id } });
    const next: CredentialSettings = {
      storage: data.storage,
      secretRef: data.secretRef ?? null,
      scope: data.scope,
      maxTtlSeconds: data.maxTtlSeconds ?? null,
      rotationPeriodDays: data.rotationPeriodDays ?? null,
      boundToWorkloadIdentity: data.boundToWorkloadIdentity,
      privileged: data.privileged,
      gated: data.gated,
    };
    const changed = CREDENTIAL_EDITABLE.filter((k) => before[k] !== next[k]);
    if (changed.length === 0) return 'Nothing changed.';
    const { credentialRotationDays, credentialMaxTtlSeconds } = await getSettings(tx);
    // Judged against the period it is held to, not the one it states: a report's ten years held to the policy's 90
    // days makes ten years and a day a loosening from 90, and the request says so. A stated period left as it is
    // asks for nothing (held to less, it is not in force to be judged).
    const held = heldSettings(before, credentialRotationDays);
    const loosening = credentialLooseningFields(held, next, {
      rotationDays: credentialRotationDays,
      maxTtlSeconds: credentialMaxTtlSeconds,
    }).filter((k) => k !== 'rotationPeriodDays' || changed.includes(k));
    const pick = (keys: readonly (keyof CredentialSettings)[]) => Object.fromEntries(keys.map((k) => [k, next[k]]));
    const direct = loosening.length === 0 || (await isIndependentLead(tx, actor, credential.agentId));
    const now = direct ? changed : changed.filter((k) => !(loosening as string[]).includes(k));
    if (now.length > 0) {
      await applyCredentialFields(tx, who(actor), credential, pick(now), { loosened: direct ? loosening : [] });
    }
    if (direct) return loosening.length > 0 ? 'Saved. The loosening opens (or joins) the agent’s review.' : 'Saved.';
    await assertNoPendingRequest(tx, { kind: 'CREDENTIAL_LOOSENING', credentialId: credential.id });
    await openChangeRequest(tx, actor, {
      kind: 'CREDENTIAL_LOOSENING',
      agentId: credential.agentId,
      credentialId: credential.id,
      from: Object.fromEntries(loosening.map((k) => [k, held[k]])) as Prisma.InputJsonValue,
      to: pick(loosening) as Prisma.InputJsonValue,
      reason: data.reason ?? 'Asked for from the credential’s edit form.',
    });
    return (
      `${now.length > 0 ? 'Saved what tightens or describes it. ' : ''}Pending approval: ` +
      `${loosening.map((k) => CREDENTIAL_LOOSENING_WORDS[k]).join(', ')} loosens a control, so a security lead ` +
      'who neither owns nor controls this agent decides.'
    );
  });
}

/** Records a rotation. A revoked credential cannot be rotated: issue a new one. */
export async function rotateCredential(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'credential.write');
  const data = await readInput(RotateCredentialSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const credential = await lockForWrite(tx, actor, data.credentialId);
    if (credential.revokedAt) throw new Invalid('This credential is revoked: it cannot be rotated. Issue a new one.');
    await tx.credential.update({
      where: { id: credential.id },
      data: { lastRotatedAt: new Date(), version: { increment: 1 } },
    });
    await appendAuditEvent(tx, {
      action: 'credential.rotated',
      actor: who(actor),
      agentId: credential.agentId,
      credentialId: credential.id,
      details: { name: credential.name, ...(data.reason ? { reason: data.reason } : {}) },
    });
    return 'Rotation recorded.';
  });
}

/** Revokes a credential: who and why are recorded; it can never be used, rotated or re-issued. */
export async function revokeCredential(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'credential.write');
  const data = await readInput(RevokeCredentialSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    await applyCredentialRevocation(tx, actor, await lockForWrite(tx, actor, data.credentialId), data.reason);
    return 'Revoked.';
  });
}

/**
 * Records a use of a credential (reported by a person here; by a broker
 * through the ingest API later). A use after revocation is still recorded, as
 * evidence, and marked so a finding can be raised.
 */
export async function recordCredentialUse(actor: Actor | null, input: unknown): Promise<{ afterRevocation: boolean }> {
  requirePermission(actor, 'credential.write');
  const data = await readInput(RecordUseSchema, input, actor);
  return getDb().$transaction(async (tx) => {
    const credential = await lockForWrite(tx, actor, data.credentialId);
    const afterRevocation = credential.revokedAt !== null;
    const occurredAt = data.occurredAt ?? new Date();
    if (afterRevocation)
      await tx.credential.update({ where: { id: credential.id }, data: { usedAfterRevocationAt: occurredAt } });
    await appendAuditEvent(tx, {
      action: 'credential.used',
      actor: who(actor),
      agentId: credential.agentId,
      credentialId: credential.id,
      occurredAt,
      details: {
        name: credential.name,
        ...(data.context ? { context: data.context } : {}),
        ...(afterRevocation ? { afterRevocation } : {}),
      },
    });
    return { afterRevocation };
  });
}
