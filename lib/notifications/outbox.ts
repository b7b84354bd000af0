import 'server-only';
import type { AuditAction, AuditDetailsByAction } from '@/lib/audit/actions';
import type { SqlTx } from '@/lib/db/sql-tx';
import { Prisma } from '@/lib/generated/prisma/client';
import { isRequired, type NotificationKind } from './kinds';

/** Who a notification is for: a person in Custodian, or an address with no person (an escalation contact). */
export type Recipient = { userId: string } | { address: string };

/** A notification owed: its kind, what caused it (the key that makes it once), what it says, and to whom. */
export type Owed = {
  kind: NotificationKind;
  /** Once per cause: "seq:42" for an event, "exception.ending:ID:1h" for a timer. */
  cause: string;
  agentId?: string | null;
  eventSeq?: bigint | null;
  payload: Record<string, string | number | null>;
  to: Recipient[];
};

type Event = { action: AuditAction; details: unknown; agentId?: string | null; actor: { id: string | null } };

/** What a notification's message says of its agent, as columns of `"Agent" a` (the timers select them too). */
export type AgentFacts = { agentId: string; agentSlug: string; agentName: string; riskTier: string };
export const AGENT_FACTS = Prisma.sql`a."id" AS "agentId", a."slug" AS "agentSlug", a."name" AS "agentName",
  a."riskTier"::text AS "riskTier"`;
/** The agent's facts out of a row that selected AGENT_FACTS among others. */
export const agentFactsOf = ({ agentId, agentSlug, agentName, riskTier }: AgentFacts): AgentFacts => ({
  agentId,
  agentSlug,
  agentName,
  riskTier,
});

async function agentFacts(tx: SqlTx, agentId: string): Promise<AgentFacts | null> {
  const [row] = await tx.$queryRaw<AgentFacts[]>`SELECT ${AGENT_FACTS} FROM "Agent" a WHERE a."id" = ${agentId}`;
  return row ?? null;
}

const people = (ids: (string | null | undefined)[]): Recipient[] =>
  ids.filter((id): id is string => Boolean(id)).map((userId) => ({ userId }));

/** Active people among these ids (a deactivated person is told nothing). */
export async function activePeople(tx: SqlTx, ids: (string | null | undefined)[]): Promise<Recipient[]> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return [];
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "User" WHERE "id" = ANY(${wanted}::text[]) AND "active" ORDER BY "id"`;
  return people(rows.map((r) => r.id));
}

/**
 * Who decides a request on this agent: its PAM control owner and the active PAM approvers, never the requester; and,
 * for a break-glass, its escalation contact (the person, or the address when the contact is a team's).
 */
export async function approversToTell(tx: SqlTx, agentId: string, requesterId: string | null, escalation: boolean) {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT u."id" FROM "User" u WHERE u."active" AND u."id" IS DISTINCT FROM ${requesterId} AND (
      'PAM_APPROVER' = ANY(u."roles")
      OR u."id" = (SELECT "userId" FROM "ControlAssignment" WHERE "agentId" = ${agentId} AND "plane" = 'PAM'))
    ORDER BY u."id"`;
  const to: Recipient[] = people(rows.map((r) => r.id));
  if (escalation) {
    // The person (never the requester themself), and the team's address too when the contact has one.
    const [contact] = await tx.$queryRaw<{ userId: string | null; email: string | null; active: boolean | null }[]>`
      SELECT e."userId", e."email", u."active" FROM "EscalationContact" e LEFT JOIN "User" u ON u."id" = e."userId"
      WHERE e."agentId" = ${agentId}`;
    if (contact?.userId && contact.active && contact.userId !== requesterId) to.push({ userId: contact.userId });
    if (contact?.email) to.push({ address: contact.email });
  }
  return to;
}

/**
 * A decision on, or the end of, an exception: told to its requester (and, for an end, the agent's owner), with the
 * exception's type and agent.
 */
async function exceptionOwed(
  tx: SqlTx,
  e: Event & { details: { exceptionId: string } },
  kind: 'exception.decided' | 'exception.ended',
  said: Record<string, string>,
): Promise<Owed[]> {
  const [row] = await tx.$queryRaw<(AgentFacts & { type: string; requestedById: string; ownerId: string | null })[]>`
    SELECT ${AGENT_FACTS}, e."type"::text AS "type", e."requestedById", a."ownerId"
    FROM "Exception" e JOIN "Agent" a ON a."id" = e."agentId" WHERE e."id" = ${e.details.exceptionId}`;
  if (!row) return [];
  return [
    {
      kind,
      cause: '',
      payload: { ...agentFactsOf(row), exceptionId: e.details.exceptionId, exceptionType: row.type, ...said },
      to: await activePeople(tx, kind === 'exception.ended' ? [row.requestedById, row.ownerId] : [row.requestedById]),
    },
  ];
}

async function actorName(tx: SqlTx, id: string | null): Promise<string> {
  if (!id) return 'Custodian';
  const [row] = await tx.$queryRaw<{ name: string | null }[]>`SELECT "name" FROM "User" WHERE "id" = ${id}`;
  return row?.name ?? 'someone';
}

type Cause<A extends AuditAction> = (tx: SqlTx, event: Event & { details: AuditDetailsByAction[A] }) => Promise<Owed[]>;

/** The events that tell someone, each with whom. An action not listed tells nobody. */
const CAUSES: { [A in AuditAction]?: Cause<A> } = {
  'exception.requested': async (tx, e) => {
    const agent = e.agentId ? await agentFacts(tx, e.agentId) : null;
    if (!agent) return [];
    const breakGlass = e.details.type === 'BREAK_GLASS';
    return [
      {
        kind: breakGlass ? 'breakglass.requested' : 'exception.requested',
        cause: '',
        payload: {
          ...agent,
          exceptionId: e.details.exceptionId,
          exceptionType: e.details.type,
          by: await actorName(tx, e.actor.id),
          windowMinutes: e.details.windowMinutes ?? null,
          lapsesAt: e.details.lapsesAt ?? null,
        },
        to: await approversToTell(tx, agent.agentId, e.actor.id, breakGlass),
      },
    ];
  },
  'exception.approved': async (tx, e) =>
    exceptionOwed(tx, e, 'exception.decided', {
      outcome: 'approved',
      by: await actorName(tx, e.actor.id),
      reason: e.details.reason,
    }),
  'exception.rejected': async (tx, e) =>
    exceptionOwed(tx, e, 'exception.decided', {
      outcome: 'rejected',
      by: await actorName(tx, e.actor.id),
      reason: e.details.reason,
    }),
  'exception.expired': (tx, e) => exceptionOwed(tx, e, 'exception.ended', { how: 'expired' }),
  'exception.lapsed': (tx, e) => exceptionOwed(tx, e, 'exception.ended', { how: 'lapsed undecided' }),
  'exception.revoked': (tx, e) => exceptionOwed(tx, e, 'exception.ended', { how: 'revoked' }),
  'review.opened': (tx, e) => reviewAssigned(tx, e.details.reviewId),
  'review.reviewer_assigned': (tx, e) => reviewAssigned(tx, e.details.reviewId),
  'finding.opened': async (tx, e) => {
    // A backfilled opening is history being written down, not news: nobody is paged for it.
    if (e.details.severity !== 'CRITICAL' || e.details.backfilled || !e.agentId) return [];
    const agent = await agentFacts(tx, e.agentId);
    if (!agent) return [];
    const [owners] = await tx.$queryRaw<{ ownerId: string | null; controlId: string | null }[]>`
      SELECT a."ownerId", (SELECT "userId" FROM "ControlAssignment" c
        WHERE c."agentId" = a."id" AND c."plane"::text = ${e.details.plane ?? ''}) AS "controlId"
      FROM "Agent" a WHERE a."id" = ${agent.agentId}`;
    return [
      {
        kind: 'finding.critical',
        cause: '',
        payload: { ...agent, ruleId: e.details.ruleId, title: e.details.title, detail: e.details.detail ?? null },
        to: await activePeople(tx, [owners?.ownerId, owners?.controlId]),
      },
    ];
  },
  'user.deactivated': async (tx, e) => {
    const [held] = await tx.$queryRaw<{ owns: number; controls: number; name: string | null }[]>`
      SELECT (SELECT count(*)::int FROM "Agent" WHERE "ownerId" = u."id") AS "owns",
        (SELECT count(DISTINCT "agentId")::int FROM "ControlAssignment" WHERE "userId" = u."id") AS "controls",
        u."name"
      FROM "User" u WHERE u."id" = ${e.details.userId}`;
    if (!held || held.owns + held.controls === 0) return [];
    const leads = await tx.$queryRaw<{ id: string }[]>`
      SELECT "id" FROM "User" WHERE "active" AND 'ADMIN' = ANY("roles") AND "id" <> ${e.details.userId} ORDER BY "id"`;
    return [
      {
        kind: 'person.deactivated',
        cause: '',
        payload: {
          personId: e.details.userId,
          personName: held.name ?? 'someone',
          owns: held.owns,
          controls: held.controls,
          by: await actorName(tx, e.actor.id),
        },
        to: people(leads.map((l) => l.id)),
      },
    ];
  },
};

async function reviewAssigned(tx: SqlTx, reviewId: string): Promise<Owed[]> {
  const [review] = await tx.$queryRaw<{ reviewerId: string | null; dueAt: Date; agentId: string }[]>`
    SELECT "reviewerId", "dueAt", "agentId" FROM "Review" WHERE "id" = ${reviewId} AND "completedAt" IS NULL`;
  const agent = review ? await agentFacts(tx, review.agentId) : null;
  if (!review || !agent) return [];
  return [
    {
      kind: 'review.assigned',
      cause: '',
      payload: { ...agent, reviewId, dueAt: review.dueAt.toISOString() },
      to: await activePeople(tx, [review.reviewerId]),
    },
  ];
}

/**
 * What these events owe, read in their transaction before the chain head is locked (so the lock is held no longer
 * than the append). The cause is filled in by `writeOwed` once each event has its seq.
 */
export async function owedFor(tx: SqlTx, events: Event[]): Promise<(Owed[] | null)[]> {
  const owed: (Owed[] | null)[] = [];
  for (const event of events) {
    const cause = CAUSES[event.action] as Cause<AuditAction> | undefined;
    owed.push(cause ? await cause(tx, event as Event & { details: never }) : null);
  }
  return owed;
}

/** Events' notifications, keyed by their seq: the rows commit, or roll back, with the events. */
export function owedBySeq(owed: (Owed[] | null)[], seqs: bigint[]): Owed[] {
  return owed.flatMap((list, i) =>
    (list ?? []).map((o) => ({
      ...o,
      cause: `seq:${seqs[i]}`,
      eventSeq: seqs[i]!,
      agentId: (o.payload.agentId as string | undefined) ?? null,
    })),
  );
}

/** Why a muted person's e-mail was not sent (and a resend does not override it). */
export const MUTED = 'Muted by the person’s preferences.';

const recipientKey = (r: Recipient) => ('userId' in r ? `user:${r.userId}` : `mail:${r.address.toLowerCase()}`);

/**
 * Writes the outbox rows: one e-mail per distinct recipient (skipped, and said so, for a kind the person muted) and
 * one per endpoint that takes the kind. A cause already written (a timer that fires again) writes nothing.
 */
export async function writeOwed(tx: SqlTx, owed: Owed[]): Promise<number> {
  if (owed.length === 0) return 0;
  const endpoints = await tx.$queryRaw<{ id: string; channel: string; kinds: string[] }[]>`
    SELECT "id", "channel"::text AS "channel", "kinds" FROM "NotificationEndpoint" WHERE "active"`;
  const userIds = [...new Set(owed.flatMap((o) => o.to.flatMap((r) => ('userId' in r ? [r.userId] : []))))];
  const mutes = new Set(
    userIds.length === 0
      ? []
      : (
          await tx.$queryRaw<{ userId: string; kind: string }[]>`
            SELECT "userId", "kind" FROM "NotificationMute" WHERE "userId" = ANY(${userIds}::text[])`
        ).map((m) => `${m.userId}|${m.kind}`),
  );
  const rows: OutboxRow[] = [];
  for (const o of owed) {
    const base = {
      kind: o.kind,
      cause: o.cause,
      agentId: o.agentId ?? null,
      eventSeq: o.eventSeq?.toString() ?? null,
      payload: o.payload,
    };
    const seen = new Set<string>();
    for (const r of o.to) {
      const key = recipientKey(r);
      if (seen.has(key)) continue;
      seen.add(key);
      const muted = 'userId' in r && !isRequired(o.kind) && mutes.has(`${r.userId}|${o.kind}`);
      rows.push({
        ...base,
        dedupKey: `${o.cause}|${key}`,
        channel: 'EMAIL',
        ...('userId' in r ? { userId: r.userId } : { address: r.address }),
        ...(muted ? { status: 'SKIPPED', lastError: MUTED } : {}),
      });
    }
    for (const endpoint of endpoints) {
      if (endpoint.kinds.length > 0 && !endpoint.kinds.includes(o.kind)) continue;
      rows.push({
        ...base,
        dedupKey: `${o.cause}|endpoint:${endpoint.id}`,
        channel: endpoint.channel,
        endpointId: endpoint.id,
      });
    }
  }
  if (rows.length === 0) return 0;
  // A row already written for the same dedupKey (a timer that fires again) is skipped.
  return tx.$executeRaw`
    INSERT INTO "Notification" ("id", "kind", "cause", "dedupKey", "channel", "userId", "address", "endpointId",
      "agentId", "eventSeq", "payload", "status", "lastError")
    SELECT gen_random_uuid(), r."kind", r."cause", r."dedupKey", r."channel"::"NotificationChannel", r."userId",
      r."address", r."endpointId", r."agentId", r."eventSeq"::bigint, r."payload",
      COALESCE(r."status", 'PENDING')::"NotificationStatus", r."lastError"
    FROM json_to_recordset(${JSON.stringify(rows)}::json) AS r("kind" text, "cause" text, "dedupKey" text,
      "channel" text, "userId" text, "address" text, "endpointId" text, "agentId" text, "eventSeq" text,
      "payload" jsonb, "status" text, "lastError" text)
    ON CONFLICT DO NOTHING`;
}

/** One outbox row as written: an e-mail to a person or an address, or a post to an endpoint. */
type OutboxRow = {
  kind: string;
  cause: string;
  dedupKey: string;
  channel: string;
  userId?: string;
  address?: string;
  endpointId?: string;
  agentId: string | null;
  eventSeq: string | null;
  payload: Owed['payload'];
  status?: 'SKIPPED';
  lastError?: string;
};
