import { appendAuditEvent } from '@/lib/audit';
import { getCurrentUser } from '@/lib/auth';
import { can } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { csvLine } from '@/lib/http/csv';
import { problem } from '@/lib/http/problem';
import { campaignProgress } from '@/lib/reviews/campaigns';

export const dynamic = 'force-dynamic';

const REVIEW_HEADER = ['campaign', 'deadline', 'agent_slug', 'agent_name', 'risk_tier', 'owner', 'reviewer', 'triggers', 'due_at', 'completed_at', 'outcome', 'completed_by', 'notes'];
const SUMMARY_HEADER = ['campaign', 'status', 'deadline', 'reviewer', 'done', 'open', 'overdue'];

/** A campaign's reviews (or its per-reviewer summary) as CSV for auditors; the export itself is audited. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const actor = await getCurrentUser();
  if (!actor) return problem(401, 'Sign in to continue.');
  if (!can(actor, 'audit.export')) return problem(403, 'You need permission to export the custody timeline and evidence packs.');
  const { id } = await params;
  const part = new URL(request.url).searchParams.get('part') === 'summary' ? 'summary' : 'reviews';
  const db = getDb();
  const campaign = await db.reviewCampaign.findUnique({ where: { id }, select: { id: true, name: true, status: true, deadline: true } });
  if (!campaign) return problem(404, 'That campaign does not exist.');
  const deadline = campaign.deadline.toISOString();
  let lines: string[];
  if (part === 'summary') {
    const progress = await campaignProgress(db, id);
    lines = [
      csvLine(SUMMARY_HEADER),
      ...progress.byReviewer.map((r) => csvLine([campaign.name, campaign.status, deadline, r.reviewerName ?? 'Unassigned', String(r.done), String(r.open), String(r.overdue)])),
      csvLine([campaign.name, campaign.status, deadline, 'TOTAL', String(progress.done), String(progress.open), String(progress.overdue)]),
    ];
  } else {
    const reviews = await db.review.findMany({
      where: { campaignId: id },
      orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
      select: {
        triggers: true,
        dueAt: true,
        completedAt: true,
        outcome: true,
        notes: true,
        agent: { select: { slug: true, name: true, riskTier: true, owner: { select: { name: true } } } },
        reviewer: { select: { name: true } },
        completedBy: { select: { name: true } },
      },
    });
    lines = [
      csvLine(REVIEW_HEADER),
      ...reviews.map((r) =>
        csvLine([campaign.name, deadline, r.agent.slug, r.agent.name, r.agent.riskTier, r.agent.owner?.name ?? '', r.reviewer?.name ?? '', r.triggers.join(' '), r.dueAt.toISOString(), r.completedAt?.toISOString() ?? '', r.outcome ?? '', r.completedBy?.name ?? '', r.notes ?? '']),
      ),
    ];
  }
  await db.$transaction((tx) =>
    appendAuditEvent(tx, { action: 'audit.exported', actor: { type: 'USER', id: actor.id }, details: { format: 'csv', filter: { campaignId: id, part }, count: lines.length - 1 } }),
  );
  return new Response(lines.join(''), {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="campaign-${id}-${part}.csv"`,
      'cache-control': 'no-store',
    },
  });
}
