import 'server-only';
import { lockParentAgent } from '@/lib/agents/locks';
import { appendAuditEvent, type AuditActor } from '@/lib/audit';
import { requireAgentPermission, requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Tx } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { Conflict, Invalid, NotFound, parseInput } from '@/lib/errors';
import { IssueCredentialSchema, RecordUseSchema, RevokeCredentialSchema, RotateCredentialSchema } from './schema';

const who = (actor: Actor): AuditActor => ({ type: 'USER', id: actor.id });

type LockedCredential = { id: string; agentId: string; name: string; revokedAt: Date | null; ownerId: string | null };

/** Locks the credential row; the caller authorises against the agent's owner. */
export async function lockCredential(tx: Tx, credentialId: string): Promise<LockedCredential> {
  await lockParentAgent(tx, 'Credential', credentialId);
  const [row] = await tx.$queryRaw<LockedCredential[]>`
    SELECT c."id", c."agentId", c."name", c."revokedAt", a."ownerId"
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

/** Records a credential issued to an agent: custody metadata only. */
export async function issueCredential(actor: Actor | null, input: unknown): Promise<{ id: string }> {
  requirePermission(actor, 'credential.write');
  const data = parseInput(IssueCredentialSchema, input);
  try {
    return await getDb().$transaction(async (tx) => {
      const agent = await tx.agent.findUnique({ where: { id: data.agentId }, select: { ownerId: true, status: true } });
      if (!agent) throw new NotFound('That agent does not exist.');
      requireAgentPermission(actor, 'credential.write', agent.ownerId);
      if (agent.status === 'RETIRED') throw new Invalid('A retired agent is issued no credentials.');
      const { reason, agentId, ...fields } = data;
      const credential = await tx.credential.create({
        data: { agentId, ...fields, secretRef: fields.secretRef ?? null, lastRotatedAt: new Date() },
        select: { id: true },
      });
      await appendAuditEvent(tx, {
        action: 'credential.issued',
        actor: who(actor),
        agentId,
        credentialId: credential.id,
        details: { name: data.name, kind: data.kind, ...(reason ? { reason } : {}) },
      });
      return credential;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new Invalid('That name is taken.', {
        name: ['This agent already has a credential with this name. Revoked ones keep their name: choose a new one.'],
      });
    throw error;
  }
}

/** Records a rotation. A revoked credential cannot be rotated: issue a new one. */
export async function rotateCredential(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'credential.write');
  const data = parseInput(RotateCredentialSchema, input);
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
  const data = parseInput(RevokeCredentialSchema, input);
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
  const data = parseInput(RecordUseSchema, input);
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
