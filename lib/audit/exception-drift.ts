import 'server-only';
import type { Db, Tx } from '@/lib/db';
import type { BaselineDetails, Drift, RegistryEvent } from './registry-actions';

// Exceptions in force against their record. The issuance gate and the exceptions queue read the Exception rows: one
// set to APPROVED in the database, given a longer window, another type or more credentials, or approved by fewer
// people than it needed (a decision row inserted by hand counts towards the total), loosens the gate with no event.
// Each exception in force is replayed from its request, its approvals and its end.

type InForce = {
  id: string;
  agentId: string;
  type: string;
  expiresAt: Date;
  credentialIds: string[];
  slug: string;
};

/** The exceptions in force now (what the gate and the queue treat as open), with what each covers. */
export function exceptionsInForce(db: Db | Tx, ids?: string[]): Promise<InForce[]> {
  return db.$queryRaw<InForce[]>`
    SELECT e."id", e."agentId", e."type"::text AS "type", e."expiresAt", a."slug",
      ARRAY(SELECT ec."credentialId" FROM "ExceptionCredential" ec WHERE ec."exceptionId" = e."id"
        ORDER BY ec."credentialId") AS "credentialIds"
    FROM "Exception" e JOIN "Agent" a ON a."id" = e."agentId"
    WHERE e."status" = 'APPROVED' AND e."expiresAt" > now()
      AND (${ids === undefined} OR e."id" = ANY(${ids ?? []}::text[]))
    ORDER BY e."id"`;
}

/** An exception in force as it stands, as a baseline records it. */
export function exceptionAsItStands(x: InForce): NonNullable<BaselineDetails['exceptions']>[number] {
  return {
    exceptionId: x.id,
    agentId: x.agentId,
    type: x.type,
    credentialIds: x.credentialIds,
    expiresAt: x.expiresAt.toISOString(),
  };
}

type Recorded = {
  agentId: string | null;
  type: string;
  credentialIds: string[];
  windowMinutes: number | null;
  /** The approvals needed when it was asked for (a later approval may need more, never fewer). */
  required: number;
  requester: string | null;
  approvers: Set<string>;
  /** Set by the approval that put it in force (or a baseline): how many it needed, until when. */
  inForce: { required: number; expiresAt: number | null } | null;
  ended: string | null;
};

const MINUTE = 60_000;

/** Each exception's record, replayed from its events in seq order. */
function replay(events: RegistryEvent[]): Map<string, Recorded> {
  const recorded = new Map<string, Recorded>();
  for (const e of events) {
    if (e.action === 'audit.baselined') {
      for (const x of (e.details as BaselineDetails).exceptions ?? []) {
        recorded.set(x.exceptionId, {
          agentId: x.agentId,
          type: x.type,
          credentialIds: x.credentialIds,
          windowMinutes: null,
          required: 0,
          requester: null,
          approvers: new Set(),
          inForce: { required: 0, expiresAt: new Date(x.expiresAt).getTime() },
          ended: null,
        });
      }
      continue;
    }
    if (!e.action.startsWith('exception.')) continue;
    const d = e.details;
    const id = String(d.exceptionId);
    if (e.action === 'exception.requested') {
      const credentials = Array.isArray(d.credentials) ? (d.credentials as { id?: unknown }[]) : [];
      recorded.set(id, {
        agentId: e.agentId,
        type: String(d.type),
        credentialIds: credentials.map((c) => String(c?.id)),
        windowMinutes: typeof d.windowMinutes === 'number' ? d.windowMinutes : null,
        required: typeof d.requiredApprovals === 'number' ? d.requiredApprovals : 1,
        requester: e.actorId,
        approvers: new Set(),
        inForce: null,
        ended: null,
      });
      continue;
    }
    const r = recorded.get(id);
    if (!r) continue;
    if (e.action === 'exception.approved') {
      if (e.actorId && e.actorId !== r.requester) r.approvers.add(e.actorId);
      // What the approval needed, as it counted (never fewer than the request recorded: the tier and the count it
      // read are rows too).
      const counted = typeof d.required === 'number' ? d.required : 1;
      // Before approvals recorded their outcome, the one that reached the count put it in force.
      const final = d.status !== undefined ? d.status === 'APPROVED' : Number(d.approvals) >= counted;
      if (final) {
        // Its window: what the approval recorded, and never past the one asked for (the row it was read from can be
        // changed before the approval).
        const asked =
          r.windowMinutes !== null && e.recordedAt ? e.recordedAt.getTime() + (r.windowMinutes + 1) * MINUTE : null;
        const approvedUntil = typeof d.expiresAt === 'string' ? new Date(d.expiresAt).getTime() : null;
        const ends = [asked, approvedUntil].filter((t): t is number => t !== null);
        r.inForce = { required: Math.max(counted, r.required), expiresAt: ends.length ? Math.min(...ends) : null };
      }
    } else r.ended = e.action.slice('exception.'.length);
  }
  return recorded;
}

/** Every exception in force that its events do not put there, as they put it. */
export async function exceptionDrift(db: Db | Tx, events: RegistryEvent[]): Promise<Drift[]> {
  const recorded = replay(events);
  const drift: Drift[] = [];
  for (const x of await exceptionsInForce(db)) {
    const r = recorded.get(x.id);
    const problems: string[] = [];
    if (!r) problems.push('no event records its request');
    else {
      if (r.agentId !== x.agentId) problems.push('it is for another agent than was requested');
      if (r.type !== x.type) problems.push(`it is a ${x.type} exception; ${r.type} was requested`);
      const named = new Set(r.credentialIds);
      if (x.credentialIds.some((c) => !named.has(c))) problems.push('it covers credentials its request did not name');
      if (!r.inForce) problems.push('no approval put it in force');
      else {
        if (r.approvers.size < r.inForce.required) {
          problems.push(
            `${r.approvers.size} ${r.approvers.size === 1 ? 'person' : 'people'} approved it on record, ` +
              `and it needed ${r.inForce.required}`,
          );
        }
        if (r.inForce.expiresAt !== null && x.expiresAt.getTime() > r.inForce.expiresAt + 1000)
          problems.push('it ends later than its approval recorded');
      }
      if (r.ended) problems.push(`it was ${r.ended}, and is in force again`);
    }
    if (problems.length) {
      const subject = `${x.type} on ${x.slug}`;
      drift.push({ kind: 'exception', id: x.id, subject, problem: problems.join('; '), unrecorded: !r });
    }
  }
  return drift;
}
