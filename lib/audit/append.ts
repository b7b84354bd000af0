import 'server-only';
import { prepared } from '@/lib/db/prepared';
import type { SqlTx } from '@/lib/db/sql-tx';
import { Prisma } from '@/lib/generated/prisma/client';
import type { ActorType } from '@/lib/generated/prisma/enums';
import { owedBySeq, owedFor, writeOwed } from '@/lib/notifications/outbox';
import { log } from '@/lib/ops/logger';
import { RECORD_ONLY_ACTIONS, type AuditAction, type AuditDetailsByAction } from './actions';
import { hashEvent, toJson } from './canonical';
import { fieldsOf, FORMAT_V2, sealDetails } from './fields';
import { snapshotOwners, type OwnersSnapshot } from './owners';
import {
  checkpointHolds,
  loadSigningKey,
  signatureHolds,
  signStatement,
  trustedPublicKeys,
  type PublicKeys,
} from './signing';
import { isTombstone } from './tombstone';

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
 * Whether Custodian itself signed the head it is about to extend: its signature row, or a checkpoint at it, holds for
 * a trusted key. Only such a head is signed over again, so events written around Custodian are never sealed by it —
 * they stay unsigned, and verification names them. Nothing is trusted on first use: a chain with no signature or
 * checkpoint left is also what deleting them all looks like, so an unsigned chain is signed only when its owner adopts
 * it (`npm run audit:adopt`), on the timeline.
 */
export async function headIsVouchedFor(tx: SqlTx, head: { seq: bigint; hash: string }, keys: PublicKeys) {
  if (head.seq === 0n) return true;
  const [signature] = await tx.$queryRaw<{ hash: string; keyId: string; signedAt: Date; signature: string }[]>`
    SELECT "hash", "keyId", "signedAt", "signature" FROM "AuditSignature" WHERE "seq" = ${head.seq}`;
  if (signature?.hash === head.hash) {
    const key = keys.find((k) => k.keyId === signature.keyId);
    const statement = { kind: 'head', seq: head.seq, hash: head.hash, signedAt: signature.signedAt } as const;
    if (key && signatureHolds(key.key, statement, signature.signature)) return true;
  }
  const checkpoints = await tx.$queryRaw<
    { number: bigint; format: number; seq: bigint; hash: string; signedAt: Date; keyId: string; signature: string }[]
  >`SELECT "number", "format", "seq", "hash", "signedAt", "keyId", "signature" FROM "AuditCheckpoint"
    WHERE "seq" = ${head.seq} AND "hash" = ${head.hash}`;
  if (checkpoints.some((c) => checkpointHolds(keys, c))) {
    return true;
  }
  return false;
}

let warnedUnsigned = false;

/**
 * The last head this process signed. Finding it still the head, the next append knows it vouched for it without
 * reading and checking its signature again (a busy process appends batch after batch). If that transaction rolled
 * back, the head found is another, and is checked as usual.
 */
let lastSigned: { seq: bigint; hash: string; keyId: string } | null = null;
const signedHere = (head: { seq: bigint; hash: string }, keyId: string) =>
  lastSigned !== null && lastSigned.seq === head.seq && lastSigned.hash === head.hash && lastSigned.keyId === keyId;

/** The chain head, locked for this transaction (appends serialise on it), through its owner's function. */
export function lockChainHead(tx: SqlTx) {
  return tx.$queryRaw<{ seq: bigint; hash: string }[]>(
    prepared(Prisma.sql`SELECT "seq", "hash" FROM custodian_lock_head()`),
  );
}

/**
 * Appends one event to the custody timeline inside the caller's transaction,
 * so the change and its event commit or roll back together. Call it last in
 * the transaction: it holds the chain lock until commit.
 */
export async function appendAuditEvent<A extends AuditAction>(
  tx: SqlTx,
  event: AuditEventInput<A>,
  known?: Map<string, OwnersSnapshot>,
): Promise<AppendedEvent> {
  const [appended] = await appendAuditEvents(tx, [event], known);
  return appended as AppendedEvent;
}

/**
 * Appends a batch under one lock of the chain head with one multi-row insert.
 * The head row serialises writers: seq stays gapless and the chain never forks.
 */
export async function appendAuditEvents(
  tx: SqlTx,
  events: AuditEventInput[],
  /** The owners of the events' agents when the caller read them in this transaction already (ownersJson). */
  known?: Map<string, OwnersSnapshot>,
  /**
   * `recordsOnly`: the caller's transaction changed nothing in the registry, it only records (a decision, a use):
   * the chain head's `registrySeq` stays, and the dashboard's figures with it. Honoured only for record-only actions.
   * `adopt`: sign over the head even though Custodian did not sign it (the owner's `audit:adopt`, never a request).
   */
  options: { recordsOnly?: boolean; adopt?: boolean } = {},
): Promise<AppendedEvent[]> {
  if (events.length === 0) return [];
  const agents = events.flatMap((e) => (e.agentId ? [e.agentId] : []));
  const owners = known && agents.every((id) => known.has(id)) ? known : await snapshotOwners(tx, agents);
  // Whom the events tell, read before the head is locked; written with them (the outbox), so a rolled-back change
  // tells no one and an event never lacks its notification.
  const owed = await owedFor(tx, events);

  const [head] = await lockChainHead(tx);
  if (!head) throw new Error('The audit chain head is missing: run the migrations.');

  const recordedAt = new Date();
  let seq = head.seq;
  let prevHash = head.hash;
  const rows = events.map((event) => {
    seq += 1n;
    const details = toJson(event.details) ?? {};
    // A value shaped like a tombstone would read as a redaction nobody made: such details are a bug, never written.
    if (fieldsOf(details).some(([, v]) => isTombstone(v))) {
      throw new Error(`audit: the details of ${event.action} hold a redaction tombstone`);
    }
    const row = {
      seq,
      occurredAt: event.occurredAt ?? recordedAt,
      recordedAt,
      actorType: event.actor.type,
      actorId: event.actor.id,
      agentId: event.agentId ?? null,
      credentialId: event.credentialId ?? null,
      action: event.action,
      details,
      owners: event.agentId ? (toJson(owners.get(event.agentId) ?? null) as OwnersSnapshot | null) : null,
      prevHash,
      format: FORMAT_V2,
      ...sealDetails(details),
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
  await tx.$executeRaw(
    prepared(Prisma.sql`
    INSERT INTO "AuditEvent" ("seq", "occurredAt", "recordedAt", "actorType", "actorId", "agentId", "credentialId",
      "action", "details", "owners", "prevHash", "hash", "format", "digests", "salts")
    SELECT "seq", "occurredAt", "recordedAt", "actorType", "actorId", "agentId", "credentialId", "action", "details",
      "owners", "prevHash", "hash", "format", "digests", "salts"
    FROM json_populate_recordset(NULL::"AuditEvent", ${payload}::json)`),
  );
  // The head this transaction leaves is signed in it: changing events without the key leaves an unsigned head.
  const key = loadSigningKey();
  const vouched =
    key !== null &&
    (options.adopt === true || signedHere(head, key.keyId) || (await headIsVouchedFor(tx, head, trustedPublicKeys())));
  if (key && !vouched && !warnedUnsigned) {
    log.error(
      `audit: the chain head at seq ${head.seq} is not one Custodian signed; appending unsigned. Verify now: ` +
        'signatures deleted are tampering. (Only a chain written before any key was configured is adopted, by its ' +
        'owner, with npm run audit:adopt.)',
    );
    warnedUnsigned = true;
  }
  // The head moves through its owner's function (the application role cannot write it), with its signature in the
  // same statement. A signature row already planted at this seq (written around Custodian) must not stop every
  // append: it is left for verification to name, and the head stays unsigned from here.
  // A transaction that only recorded (decisions, uses) leaves the registry's mark: the dashboard keys on it.
  const advance =
    options.recordsOnly && events.every((e) => RECORD_ONLY_ACTIONS.has(e.action))
      ? Prisma.sql`custodian_advance_head_records(${seq}::bigint, ${prevHash}::char(64))`
      : Prisma.sql`custodian_advance_head(${seq}::bigint, ${prevHash}::char(64))`;
  if (key && vouched) {
    const signature = signStatement(key, { kind: 'head', seq, hash: prevHash, signedAt: recordedAt });
    const [signed] = await tx.$queryRaw<{ signed: number }[]>(
      prepared(Prisma.sql`WITH s AS (
        INSERT INTO "AuditSignature" ("seq", "hash", "signedAt", "keyId", "signature")
        VALUES (${seq}, ${prevHash}, ${recordedAt}, ${key.keyId}, ${signature}) ON CONFLICT ("seq") DO NOTHING
        RETURNING 1)
      SELECT ${advance}::text AS "advanced", (SELECT count(*)::int FROM s) AS "signed"`),
    );
    lastSigned = signed?.signed === 1 ? { seq, hash: prevHash, keyId: key.keyId } : null;
  } else {
    await tx.$executeRaw(prepared(Prisma.sql`SELECT ${advance}`));
  }
  await writeOwed(
    tx,
    owedBySeq(
      owed,
      rows.map((row) => row.seq),
    ),
  );
  return rows.map((row) => ({ seq: row.seq, hash: row.hash }));
}
