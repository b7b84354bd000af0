import 'server-only';
import type { Db, Tx } from '@/lib/db';
import type { BaselineDetails, Drift, RegistryEvent, ReviewRecord } from './registry-actions';

// Reviews against their record. The issuance gate refuses an agent whose open review is overdue (the agent's
// `openReviewDueAt`, which a trigger keeps at the soonest open review's due date), and the agent page says when it
// was last reviewed: a review closed, deleted or put off in the database would let the gate allow an agent nobody
// reviewed, and a review inserted as completed would say it was. Every release has recorded a review's opening and
// completion; its due date is recorded from this release on (opened, and each trigger that joins it).

/** A review as its events leave it: its due date unknown where no event of this release recorded it. */
type ReviewState = Omit<ReviewRecord, 'dueAt' | 'agentId'> & { agentId: string | null; dueAt?: string | null };

const iso = (v: unknown) => (typeof v === 'string' ? v : null);

/** Each review as its events leave it, in seq order. */
function replay(events: RegistryEvent[]): Map<string, ReviewState> {
  const reviews = new Map<string, ReviewState>();
  for (const e of events) {
    const d = e.details;
    if (e.action === 'audit.baselined') {
      for (const { reviewId, ...record } of (d as BaselineDetails).reviews ?? []) reviews.set(reviewId, record);
      continue;
    }
    if (!e.action.startsWith('review.') || typeof d.reviewId !== 'string') continue;
    if (e.action === 'review.opened') {
      reviews.set(d.reviewId, { agentId: e.agentId, open: true, ...('dueAt' in d ? { dueAt: iso(d.dueAt) } : {}) });
      continue;
    }
    const r = reviews.get(d.reviewId) ?? reviews.set(d.reviewId, { agentId: e.agentId, open: true }).get(d.reviewId)!;
    // A trigger of an earlier release may have brought it forward, unrecorded.
    if (e.action === 'review.trigger_added') {
      if ('dueAt' in d) r.dueAt = iso(d.dueAt);
      else delete r.dueAt;
    }
    if (e.action === 'review.completed') r.open = false;
  }
  return reviews;
}

type ReviewRow = ReviewRecord & { id: string; slug: string };

/** Reviews as stored (those of `ids`, or all). */
export function reviewRows(db: Db | Tx, ids?: string[]): Promise<ReviewRow[]> {
  return db.$queryRaw<ReviewRow[]>`
    SELECT r."id", r."agentId", a."slug", r."completedAt" IS NULL AS "open",
      to_char(r."dueAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "dueAt"
    FROM "Review" r JOIN "Agent" a ON a."id" = r."agentId"
    WHERE ${ids === undefined} OR r."id" = ANY(${ids ?? []}::text[]) ORDER BY r."id"`;
}

/** A review as it stands, as a baseline records it. */
export function reviewAsItStands(r: ReviewRow): NonNullable<BaselineDetails['reviews']>[number] {
  const { id, slug: _slug, ...record } = r;
  return { reviewId: id, ...record };
}

/** Why a review's row is not what its events leave it ([] when they explain it; `unrecorded` when none mentions it). */
function problemsOf(row: ReviewRow, recorded: ReviewState | undefined): { problems: string[]; unrecorded: boolean } {
  if (!recorded) {
    const what = row.open ? 'no event opens it' : 'it is completed, and no event records it (or its opening)';
    return { problems: [what], unrecorded: true };
  }
  const problems: string[] = [];
  if (recorded.agentId !== null && recorded.agentId !== row.agentId)
    problems.push('it belongs to another agent than it was opened for');
  if (recorded.open && !row.open) problems.push('it is closed, and no event completes it');
  if (!recorded.open && row.open) problems.push('it was completed, and is open again');
  // Only an open review's date counts: the gate and the queue read it.
  if (!row.open || !recorded.open) return { problems, unrecorded: false };
  if (!('dueAt' in recorded)) {
    return problems.length
      ? { problems, unrecorded: false }
      : { problems: ['its due date was never recorded'], unrecorded: true };
  }
  if (recorded.dueAt !== row.dueAt) problems.push(`it falls due ${row.dueAt}; its record says ${recorded.dueAt}`);
  return { problems, unrecorded: false };
}

/**
 * Every review whose agent, state or (open) due date its events do not explain, every review on record that is gone,
 * and every agent whose open review's due date (what the gate reads) is not its open reviews' soonest.
 */
export async function reviewDrift(db: Db | Tx, events: RegistryEvent[]): Promise<Drift[]> {
  const replayed = replay(events);
  const drift: Drift[] = [];
  const rows = await reviewRows(db);
  for (const row of rows) {
    const { problems, unrecorded } = problemsOf(row, replayed.get(row.id));
    if (problems.length)
      drift.push({
        kind: 'review',
        id: row.id,
        subject: `Review of ${row.slug}`,
        problem: problems.join('; '),
        unrecorded,
      });
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
