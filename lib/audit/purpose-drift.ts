import 'server-only';
import type { Db, Tx } from '@/lib/db';
import type { BaselineDetails, Drift, PurposeRecord, RegistryEvent } from './registry-actions';
import { sameValue } from './same-members';

// Purposes against their record. The issuance gate allows a task only within an approved purpose in effect (its
// tools, its environments, until it ends): a purpose approved, widened, moved to another agent or given a later end in
// the database would let the gate allow what nobody approved. Each is replayed from `purpose.added` and every change,
// approval and expiry after it.

/** What a purpose's addition records from a release on: unknown for one added before, until it changes. */
const RECORDED_SINCE = ['scope', 'environments', 'expiresAt'] as const;
type Later = (typeof RECORDED_SINCE)[number];
type PurposeState = Omit<PurposeRecord, Later> & Partial<Record<Later, unknown>>;

const WORDS: Record<'task' | Later, string> = {
  task: 'task',
  scope: 'tools',
  environments: 'environments',
  expiresAt: 'end',
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** Each purpose as its events leave it, in seq order. */
function replay(events: RegistryEvent[]): Map<string, PurposeState> {
  const purposes = new Map<string, PurposeState>();
  for (const e of events) {
    const d = e.details;
    if (e.action === 'audit.baselined') {
      for (const { purposeId, ...record } of (d as BaselineDetails).purposes ?? []) purposes.set(purposeId, record);
      continue;
    }
    if (!e.action.startsWith('purpose.') || typeof d.purposeId !== 'string') continue;
    if (e.action === 'purpose.added') {
      if (!e.agentId) continue;
      purposes.set(d.purposeId, {
        agentId: e.agentId,
        task: String(d.task),
        status: 'PENDING',
        approvedById: null,
        ...Object.fromEntries(RECORDED_SINCE.filter((k) => k in d).map((k) => [k, d[k] ?? null])),
      });
      continue;
    }
    const p = purposes.get(d.purposeId);
    if (!p) continue;
    if (e.action === 'purpose.changed') {
      // A change sends it back for approval.
      const changes = isObject(d.changes) ? d.changes : {};
      for (const [k, c] of Object.entries(changes)) {
        if (!isObject(c) || !('to' in c)) continue;
        if (k === 'task') p.task = String(c.to);
        if (k === 'scope' || k === 'environments') p[k] = c.to;
      }
      p.status = 'PENDING';
      p.approvedById = null;
    }
    if (e.action === 'purpose.approved') {
      p.status = 'APPROVED';
      p.approvedById = e.actorId;
    }
    if (e.action === 'purpose.expired') {
      // Its end is the expiry's own time, which the event's time records: an expired purpose allows nothing anyway.
      p.status = 'EXPIRED';
      delete p.expiresAt;
    }
  }
  return purposes;
}

type PurposeRow = Omit<PurposeRecord, 'expiresAt'> & { id: string; slug: string; expiresAt: Date | null };

/** Purposes as stored (those of `ids`, or all), with the fields their record holds. */
export function purposeRows(db: Db | Tx, ids?: string[]): Promise<PurposeRow[]> {
  return db.$queryRaw<PurposeRow[]>`
    SELECT p."id", p."agentId", a."slug", p."task", p."scope", p."environments"::text[] AS "environments",
      p."status"::text AS "status", p."approvedById", p."expiresAt"
    FROM "Purpose" p JOIN "Agent" a ON a."id" = p."agentId"
    WHERE ${ids === undefined} OR p."id" = ANY(${ids ?? []}::text[]) ORDER BY p."id"`;
}

const stands = (p: PurposeRow): PurposeRecord => ({
  agentId: p.agentId,
  task: p.task,
  scope: p.scope,
  environments: p.environments,
  status: p.status,
  approvedById: p.approvedById,
  expiresAt: p.expiresAt?.toISOString() ?? null,
});

/** A purpose as it stands, as a baseline records it. */
export function purposeAsItStands(p: PurposeRow): NonNullable<BaselineDetails['purposes']>[number] {
  return { purposeId: p.id, ...stands(p) };
}

/**
 * Every purpose whose agent, status, approver, task, tools, environments or end its events do not explain. An expired
 * one allows nothing: only its status and agent count. Every release has recorded a purpose's addition, so one with no
 * event was made by hand: a contradiction, never the owner's to vouch for. One added before its addition recorded its
 * tools, environments or end, with nothing else wrong, is unrecorded: the owner's baseline vouches for it.
 */
export async function purposeDrift(db: Db | Tx, events: RegistryEvent[]): Promise<Drift[]> {
  const replayed = replay(events);
  const drift: Drift[] = [];
  for (const row of await purposeRows(db)) {
    const recorded = replayed.get(row.id);
    const now = stands(row);
    const problems: string[] = [];
    let unrecorded = false;
    if (!recorded) problems.push('no event records it (every release records a purpose’s addition)');
    else {
      if (recorded.agentId !== now.agentId) problems.push('it belongs to another agent than it was added to');
      if (recorded.status !== now.status) problems.push(`it is ${now.status}; its events leave it ${recorded.status}`);
      else if (now.status === 'APPROVED' && recorded.approvedById !== now.approvedById)
        problems.push('someone other than its approver is recorded as approving it');
      const inForce = now.status !== 'EXPIRED';
      const known = inForce ? RECORDED_SINCE.filter((k) => k in recorded) : [];
      const differ = [
        ...(recorded.task === now.task ? [] : (['task'] as const)),
        ...known.filter((k) => !sameValue(recorded[k], now[k])),
      ];
      if (differ.length) problems.push(`it differs from its record in its ${differ.map((k) => WORDS[k]).join(', ')}`);
      const unknown = inForce ? RECORDED_SINCE.filter((k) => !(k in recorded)) : [];
      if (problems.length === 0 && unknown.length) {
        problems.push(
          `its ${unknown.map((k) => WORDS[k]).join(', ')} ${unknown.length === 1 ? 'was' : 'were'} never recorded`,
        );
        unrecorded = true;
      }
    }
    if (problems.length)
      drift.push({
        kind: 'purpose',
        id: row.id,
        subject: `“${row.task}” of ${row.slug}`,
        problem: problems.join('; '),
        unrecorded,
      });
  }
  return drift;
}
