import 'server-only';
import type { Db, Tx } from '@/lib/db';
import type { Drift, RegistryEvent } from './registry-actions';
import { sameValue } from './same-members';
import { isTombstone } from './tombstone';

// Delegation grants against their record. The issuance gate lets an agent act for another only through a grant
// approved and in force, for its tasks, in its environments, until its end: a grant inserted, approved, revived,
// widened, lengthened or pointed at another agent in the database would let the gate allow a chain nobody approved.
// Every release has recorded a grant's request (the agents, tasks, environments, days), its approval (the end) and
// its end, so each grant is replayed from them and nothing is left for a baseline to vouch for.

type GrantState = {
  principalId: string | null;
  delegateId: string | null;
  status: string;
  requestedById: string | null;
  approvedById: string | null;
  /** What the request and approval record; absent when only the grant's end or approval is on record. */
  terms?: { tasks: unknown; environments: unknown; days: unknown; justification: unknown; expiresAt: string | null };
};

const ENDS: Record<string, string> = { 'delegation.revoked': 'REVOKED', 'delegation.expired': 'EXPIRED' };

const delegateOf = (d: Record<string, unknown>) =>
  typeof d.delegate === 'object' && d.delegate !== null && typeof (d.delegate as { id?: unknown }).id === 'string'
    ? (d.delegate as { id: string }).id
    : null;

/** Each grant as its events leave it, in seq order. */
function replay(events: RegistryEvent[]): Map<string, GrantState> {
  const grants = new Map<string, GrantState>();
  for (const e of events) {
    const d = e.details;
    if (!e.action.startsWith('delegation.') || typeof d.grantId !== 'string') continue;
    if (e.action === 'delegation.requested') {
      grants.set(d.grantId, {
        principalId: e.agentId,
        delegateId: delegateOf(d),
        status: 'PENDING',
        requestedById: e.actorId,
        approvedById: null,
        terms: {
          tasks: d.tasks,
          environments: d.environments,
          days: d.days,
          justification: d.justification,
          expiresAt: null,
        },
      });
      continue;
    }
    // A grant ended through Custodian (revoked, or swept) allows nothing, whatever made it: its end is on record. One
    // approved with no request on record is not what its approver was shown: its terms are unknown (see below).
    const g =
      grants.get(d.grantId) ??
      grants
        .set(d.grantId, {
          principalId: e.agentId,
          delegateId: delegateOf(d),
          status: 'PENDING',
          requestedById: null,
          approvedById: null,
        })
        .get(d.grantId)!;
    if (e.action === 'delegation.approved') {
      g.status = 'APPROVED';
      g.approvedById = e.actorId;
      if (g.terms) g.terms.expiresAt = typeof d.expiresAt === 'string' ? d.expiresAt : null;
    }
    if (ENDS[e.action]) g.status = ENDS[e.action]!;
  }
  return grants;
}

type GrantRow = {
  id: string;
  principalId: string;
  delegateId: string;
  principalSlug: string;
  delegateSlug: string;
  tasks: string[];
  environments: string[];
  days: number;
  justification: string;
  status: string;
  requestedById: string;
  approvedById: string | null;
  approvedAt: Date | null;
  expiresAt: Date | null;
};

function grantRows(db: Db | Tx): Promise<GrantRow[]> {
  return db.$queryRaw<GrantRow[]>`
    SELECT g."id", g."principalId", g."delegateId", p."slug" AS "principalSlug", d."slug" AS "delegateSlug",
      g."tasks", g."environments"::text[] AS "environments", g."days", g."justification", g."status"::text AS "status",
      g."requestedById", g."approvedById", g."approvedAt", g."expiresAt"
    FROM "DelegationGrant" g JOIN "Agent" p ON p."id" = g."principalId" JOIN "Agent" d ON d."id" = g."delegateId"
    ORDER BY g."id"`;
}

/**
 * Why a grant's row is not what its events leave it. An ended grant allows nothing: what it was for no longer counts,
 * and one no event records (made by hand, or its events in a range an earlier release archived) is harmless. In
 * another status than its events leave it, that status is what matters: its terms are then beside the point.
 */
function problemsOf(row: GrantRow, recorded: GrantState | undefined): string[] {
  const inForce = row.status === 'PENDING' || row.status === 'APPROVED';
  if (!recorded) return inForce ? ['no event records it (every release records a delegation’s request)'] : [];
  const problems: string[] = [];
  if (recorded.delegateId !== row.delegateId) problems.push('another agent than asked may act through it');
  if (recorded.principalId !== row.principalId) problems.push('it lets its delegate act for another agent');
  if (recorded.requestedById !== null && recorded.requestedById !== row.requestedById)
    problems.push('someone other than who asked for it is recorded as asking');
  if (recorded.status !== row.status)
    return [...problems, `it is ${row.status}; its events leave it ${recorded.status}`];
  if (!inForce) return problems;
  const t = recorded.terms;
  // Inserted by hand and approved through Custodian: what the approver saw was never asked for on record.
  if (!t) return [...problems, 'no event records its request (every release records one)'];
  if (row.status === 'APPROVED' && recorded.approvedById !== row.approvedById)
    problems.push('someone other than its approver is recorded as approving it');
  // The gate reads a grant only once approved (its approval's time set).
  if (row.approvedAt !== null && recorded.approvedById === null) problems.push('no event approves it');
  const differ = [
    ...(sameValue(t.tasks, row.tasks) ? [] : ['tasks']),
    ...(sameValue(t.environments, row.environments) ? [] : ['environments']),
    ...(t.days === row.days ? [] : ['days']),
    ...(t.expiresAt === (row.expiresAt?.toISOString() ?? null) ? [] : ['end']),
    // What its approver read: rewritten on a waiting request, it misleads them. (Redacted, it is not on record.)
    ...(isTombstone(t.justification) || t.justification === row.justification ? [] : ['justification']),
  ];
  if (differ.length) problems.push(`it differs from its record in its ${differ.join(', ')}`);
  return problems;
}

/**
 * Every grant whose agents, status, requester, approver or (while it may still come into force) request, tasks,
 * environments, days, end or justification its events do not explain: all contradictions, as every release has
 * recorded them.
 */
export async function delegationDrift(db: Db | Tx, events: RegistryEvent[]): Promise<Drift[]> {
  const replayed = replay(events);
  return (await grantRows(db)).flatMap((row) => {
    const problems = problemsOf(row, replayed.get(row.id));
    if (problems.length === 0) return [];
    const subject = `${row.delegateSlug} acting for ${row.principalSlug}`;
    return [{ kind: 'delegation', id: row.id, subject, problem: problems.join('; '), unrecorded: false } as const];
  });
}
