import 'server-only';
import type { Db, Tx } from '@/lib/db';
import type { BaselineDetails, Drift, RegistryEvent, ReviewRecord } from './registry-actions';
import { sameMembers } from './same-members';
import { isoSql } from './stream';

// Reviews against their record. The issuance gate refuses an agent whose open review is overdue (the agent's
// `openReviewDueAt`, which a trigger keeps at the soonest open review's due date); who may complete one depends on its
// triggers (never the owner after an incident, nor who loosened it); every trigger joins the review held open for the
// agent (`openForAgent`); and the agent page says when it was last reviewed. A review closed, deleted, put off,
// stripped of a trigger or held open after its completion in the database would let the gate allow an agent nobody
// reviewed, or the wrong person review it. Every release has recorded a review's opening (with its triggers), each
// trigger that joins it, and its completion; the due dates and the completion's time are recorded from this release
// on.

/** A review as its events leave it: what no event of this release recorded (a due date, completion time) is absent. */
type ReviewState = {
  agentId: string | null;
  open: boolean;
  /** Its opening (or a baseline) is on record: a review only joined or completed on record was opened unrecorded. */
  opened: boolean;
  /** null: a baseline of a release that did not record them. */
  triggers: string[] | null;
  dueAt?: string | null;
  completedAt?: string | null;
  /** Why its events contradict themselves as Custodian writes them (a trigger joining it once completed, say). */
  odd: string[];
};

const text = (v: unknown) => (typeof v === 'string' ? v : null);
const sooner = (a: string, b: string) => (Date.parse(a) <= Date.parse(b) ? a : b);

/** Each review as its events leave it, in seq order. */
function replay(events: RegistryEvent[]): Map<string, ReviewState> {
  const reviews = new Map<string, ReviewState>();
  for (const e of events) {
    const d = e.details;
    if (e.action === 'audit.baselined') {
      for (const { reviewId, ...record } of (d as BaselineDetails).reviews ?? []) {
        const triggers = Array.isArray(record.triggers) ? [...record.triggers] : null;
        reviews.set(reviewId, { ...record, triggers, opened: true, odd: [] });
      }
      continue;
    }
    if (!e.action.startsWith('review.') || typeof d.reviewId !== 'string') continue;
    const triggers = Array.isArray(d.triggers) ? d.triggers.map(String) : [];
    if (e.action === 'review.opened') {
      const dueAt = 'dueAt' in d ? { dueAt: text(d.dueAt) } : {};
      reviews.set(d.reviewId, { agentId: e.agentId, open: true, opened: true, triggers, ...dueAt, odd: [] });
      continue;
    }
    const r =
      reviews.get(d.reviewId) ??
      reviews
        .set(d.reviewId, { agentId: e.agentId, open: true, opened: false, triggers: [], odd: [] })
        .get(d.reviewId)!;
    if (e.action === 'review.trigger_added') {
      // Only a review held open for its agent is joined.
      const late = 'a trigger joined it after it was completed';
      if (!r.open && !r.odd.includes(late)) r.odd.push(late);
      if (typeof d.trigger === 'string' && r.triggers && !r.triggers.includes(d.trigger)) r.triggers.push(d.trigger);
      // It falls due at the sooner of its date and the trigger's; a trigger of an earlier release recorded neither.
      const wanted = text(d.triggerDueAt);
      if (wanted && typeof r.dueAt === 'string') r.dueAt = sooner(r.dueAt, wanted);
      else delete r.dueAt;
    }
    if (e.action === 'review.completed') {
      r.open = false;
      if ('completedAt' in d) r.completedAt = text(d.completedAt);
      else delete r.completedAt;
      // Who could complete it depended on its triggers: completed with others, they were changed before.
      if (r.opened && r.triggers && Array.isArray(d.triggers) && !sameMembers(triggers, r.triggers))
        r.odd.push('it was completed with other triggers than were recorded');
    }
  }
  return reviews;
}

type ReviewRow = ReviewRecord & { id: string; slug: string; openForAgent: string | null };

/** Reviews as stored (those of `ids`, or all). */
export function reviewRows(db: Db | Tx, ids?: string[]): Promise<ReviewRow[]> {
  return db.$queryRawUnsafe<ReviewRow[]>(
    `SELECT r."id", r."agentId", a."slug", r."completedAt" IS NULL AS "open", r."openForAgent",
      r."triggers"::text[] AS "triggers", ${isoSql('r."dueAt"')} AS "dueAt",
      ${isoSql('r."completedAt"')} AS "completedAt"
    FROM "Review" r JOIN "Agent" a ON a."id" = r."agentId"
    WHERE $1::boolean OR r."id" = ANY($2::text[]) ORDER BY r."id"`,
    ids === undefined,
    ids ?? [],
  );
}

/** A review as it stands, as a baseline records it. */
export function reviewAsItStands(r: ReviewRow): NonNullable<BaselineDetails['reviews']>[number] {
  const { id, slug: _slug, openForAgent: _held, ...record } = r;
  return { reviewId: id, ...record };
}

/** Why a review's row is not what its events leave it ([] when they explain it; `unrecorded` when none mentions it). */
function problemsOf(row: ReviewRow, recorded: ReviewState | undefined): { problems: string[]; unrecorded: boolean } {
  // Every trigger joins the review held open for the agent: held for none, none joins it; held once completed, every
  // trigger joins a review nobody can complete.
  const held =
    row.open && row.openForAgent !== row.agentId
      ? ['it is open, and not held open for its agent (no trigger would join it)']
      : !row.open && row.openForAgent !== null
        ? ['it is completed, and still held open for its agent (every trigger would join it)']
        : [];
  // Opened by hand, or its opening in a range an earlier release archived: a join or a completion on record does not
  // make it Custodian's.
  if (!recorded || !recorded.opened) {
    const what = !recorded
      ? row.open
        ? 'no event opens it'
        : 'it is completed, and no event records it (or its opening)'
      : `no event opens it (only ${recorded.open ? 'a trigger joining it' : 'its completion'} is on record)`;
    return { problems: [what, ...held], unrecorded: held.length === 0 };
  }
  const problems = [...held, ...recorded.odd];
  if (recorded.agentId !== null && recorded.agentId !== row.agentId)
    problems.push('it belongs to another agent than it was opened for');
  if (recorded.open && !row.open) problems.push('it is closed, and no event completes it');
  if (!recorded.open && row.open) problems.push('it was completed, and is open again');
  if (!row.open && !recorded.open) {
    if ('completedAt' in recorded && recorded.completedAt !== row.completedAt)
      problems.push(`it was completed at ${row.completedAt}; its record says ${recorded.completedAt}`);
    return { problems, unrecorded: false };
  }
  if (!row.open || !recorded.open) return { problems, unrecorded: false };
  // An open review: who may complete it, and when the gate refuses its agent.
  if (recorded.triggers && !sameMembers(recorded.triggers, row.triggers))
    problems.push('its triggers are not those recorded (who may review it depends on them)');
  if (!('dueAt' in recorded)) {
    return problems.length
      ? { problems, unrecorded: false }
      : { problems: ['its due date was never recorded'], unrecorded: true };
  }
  if (recorded.dueAt !== row.dueAt) problems.push(`it falls due ${row.dueAt}; its record says ${recorded.dueAt}`);
  return { problems, unrecorded: false };
}

/**
 * Every review whose agent, state, triggers, due date, completion or hold its events do not explain, every review on
 * record that is gone, and every agent whose open review's due date (what the gate reads) is not its open reviews'
 * soonest.
 */
export async function reviewDrift(db: Db | Tx, events: RegistryEvent[]): Promise<Drift[]> {
  const replayed = replay(events);
  const drift: Drift[] = [];
  const rows = await reviewRows(db);
  for (const row of rows) {
    const { problems, unrecorded } = problemsOf(row, replayed.get(row.id));
    if (problems.length) {
      const problem = problems.join('; ');
      drift.push({ kind: 'review', id: row.id, subject: `Review of ${row.slug}`, problem, unrecorded });
    }
  }
  // Deleted: an open one lifts the gate's block, a completed one takes a review out of the agent's history.
  const stored = new Set(rows.map((r) => r.id));
  const gone = [...replayed].filter(([id]) => !stored.has(id));
  const slugs = new Map(
    (
      await db.agent.findMany({
        where: { id: { in: gone.flatMap(([, r]) => (r.agentId ? [r.agentId] : [])) } },
        select: { id: true, slug: true },
      })
    ).map((a) => [a.id, a.slug]),
  );
  for (const [id, r] of gone) {
    drift.push({
      kind: 'review',
      id,
      subject: `Review of ${(r.agentId && slugs.get(r.agentId)) ?? 'an agent'}`,
      problem: r.open ? 'it was opened, and is gone before it was completed' : 'it was completed, and is gone',
      unrecorded: false,
    });
  }
  // The trigger's column, written by hand (or the trigger dropped): the gate would read another date than the reviews.
  const held = await db.$queryRaw<{ id: string; slug: string }[]>`
    SELECT a."id", a."slug" FROM "Agent" a
    WHERE a."openReviewDueAt" IS DISTINCT FROM
      (SELECT min(r."dueAt") FROM "Review" r WHERE r."agentId" = a."id" AND r."completedAt" IS NULL)
    ORDER BY a."id"`;
  for (const a of held) {
    drift.push({
      kind: 'review',
      id: `due:${a.id}`,
      subject: `Review of ${a.slug}`,
      problem: 'the agent is held to another due date than its open review’s (the column was written by hand)',
      unrecorded: false,
    });
  }
  return drift;
}
