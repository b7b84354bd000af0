import 'server-only';
import type { Tx } from '@/lib/db';
import type { ActorType } from '@/lib/generated/prisma/enums';
import type { AuditAction, AuditDetailsByAction } from './actions';
import { hashEvent, toJson } from './canonical';
import { snapshotOwners, type OwnersSnapshot } from './owners';
import { loadSigningKey, signStatement } from './signing';

export type AuditActor = { type: ActorType; id: string | null };

export const SYSTEM_ACTOR: AuditActor = { type: 'SYSTEM', id: null };

export type AuditEventInput<A extends AuditAction = AuditAction> = {
  action: A;
  actor: AuditActor;
  details: AuditDetailsByAction[A];
  agentId?: string | null;
  credentialId?: string | null;
  /** When it happened, if not now (e.g. a use reported later by a broker). */
  occurredAt?: Date;
};

export type AppendedEvent = { seq: bigint; hash: string };

/**
 * Appends one event to the custody timeline inside the caller's transaction,
 * so the change and its event commit or roll back together. Call it last in
 * the transaction: it holds the chain lock until commit.
 */
export async function appendAuditEvent<A extends AuditAction>(
  tx: Tx,
  event: AuditEventInput<A>,
): Promise<AppendedEvent> {
  const [appended] = await appendAuditEvents(tx, [event]);
  return appended as AppendedEvent;
}

/**
 * Appends a batch under one lock of the chain head with one multi-row insert.
 * The head row serialises writers: seq stays gapless and the chain never forks.
 */
export async function appendAuditEvents(tx: Tx, events: AuditEventInput[]): Promise<AppendedEvent[]> {
  if (events.length === 0) return [];
  const owners = await snapshotOwners(
    tx,
    events.flatMap((e) => (e.agentId ? [e.agentId] : [])),
  );

  const [head] = await tx.$queryRaw<{ seq: bigint; hash: string }[]>`
    SELECT "seq", "hash" FROM "AuditChainHead" WHERE "id" = 1 FOR UPDATE`;
  if (!head) throw new Error('The audit chain head is missing: run the migrations.');

  const recordedAt = new Date();
  let seq = head.seq;
  let prevHash = head.hash;
  const rows = events.map((event) => {
    seq += 1n;
    const row = {
      seq,
      occurredAt: event.occurredAt ?? recordedAt,
      recordedAt,
      actorType: event.actor.type,
      actorId: event.actor.id,
      agentId: event.agentId ?? null,
      credentialId: event.credentialId ?? null,
      action: event.action,
      details: toJson(event.details) ?? {},
      owners: event.agentId ? (toJson(owners.get(event.agentId) ?? null) as OwnersSnapshot | null) : null,
      prevHash,
    };
    const hash = hashEvent(prevHash, row);
    prevHash = hash;
    return { ...row, hash };
  });

  // One JSON parameter expanded by PostgreSQL: a batch of 1,000 events is one
  // statement with one bind value instead of 12,000 (about 3× faster).
  const payload = JSON.stringify(
    rows.map((row) => ({
      ...row,
      seq: row.seq.toString(),
      occurredAt: row.occurredAt.toISOString(),
      recordedAt: row.recordedAt.toISOString(),
    })),
  );
  await tx.$executeRaw`
    INSERT INTO "AuditEvent" ("seq", "occurredAt", "recordedAt", "actorType", "actorId", "agentId", "credentialId",
      "action", "details", "owners", "prevHash", "hash")
    SELECT "seq", "occurredAt", "recordedAt", "actorType", "actorId", "agentId", "credentialId", "action", "details",
      "owners", "prevHash", "hash"
    FROM json_populate_recordset(NULL::"AuditEvent", ${payload}::json)`;
  await tx.$executeRaw`UPDATE "AuditChainHead" SET "seq" = ${seq}, "hash" = ${prevHash} WHERE "id" = 1`;
  // The head this transaction leaves, signed in it: changing events without the key leaves an unsigned head.
  const key = loadSigningKey();
  if (key) {
    const signature = signStatement(key, { kind: 'head', seq, hash: prevHash, signedAt: recordedAt });
    await tx.$executeRaw`INSERT INTO "AuditSignature" ("seq", "hash", "signedAt", "keyId", "signature")
      VALUES (${seq}, ${prevHash}, ${recordedAt}, ${key.keyId}, ${signature})`;
  }
  return rows.map((row) => ({ seq: row.seq, hash: row.hash }));
}
