import 'server-only';
import { appendAuditEvent } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { csvLine } from '@/lib/csv';
import { getDb } from '@/lib/db';
import { NotFound } from '@/lib/errors';
import { CAMPAIGN_STATUS, labelOf, REVIEW_OUTCOME, REVIEW_TRIGGER, RISK_TIER } from '@/lib/vocabulary';
import { campaignProgress } from './campaigns';

const REVIEW_HEADER = [
  'campaign',
  'deadline',
  'agent_slug',
  'agent_name',
  'risk_tier',
  'owner',
  'reviewer',
  'triggers',
  'due_at',
  'completed_at',
  'outcome',
  'completed_by',
  'notes',
];
const SUMMARY_HEADER = ['campaign', 'status', 'deadline', 'reviewer', 'done', 'open', 'overdue'];

export type CampaignExportPart = 'reviews' | 'summary';

/**
 * A campaign's reviews (or its per-reviewer summary) as CSV lines for
 * auditors. The export is itself a custody event, appended in its own
 * transaction (it records something outside the registry).
 */
export async function exportCampaignCsv(
  actor: Actor | null,
  campaignId: string,
  part: CampaignExportPart,
): Promise<{ csv: string; filename: string }> {
  requirePermission(actor, 'audit.export');
  const db = getDb();
  const campaign = await db.reviewCampaign.findUnique({
    where: { id: campaignId },
    select: { id: true, name: true, status: true, deadline: true },
  });
  if (!campaign) throw new NotFound('That campaign does not exist.');
  const deadline = campaign.deadline.toISOString();
  let lines: string[];
  if (part === 'summary') {
    const progress = await campaignProgress(db, campaign.id);
    lines = [
      csvLine(SUMMARY_HEADER),
      ...progress.byReviewer.map((r) =>
        csvLine([
          campaign.name,
          labelOf(CAMPAIGN_STATUS, campaign.status),
          deadline,
          r.reviewerName ?? 'Unassigned',
          String(r.done),
          String(r.open),
          String(r.overdue),
        ]),
      ),
      csvLine([
        campaign.name,
        labelOf(CAMPAIGN_STATUS, campaign.status),
        deadline,
        'TOTAL',
        String(progress.done),
        String(progress.open),
        String(progress.overdue),
      ]),
    ];
  } else {
    const reviews = await db.review.findMany({
      where: { campaignId: campaign.id },
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
        csvLine([
          campaign.name,
          deadline,
          r.agent.slug,
          r.agent.name,
          labelOf(RISK_TIER, r.agent.riskTier),
          r.agent.owner?.name ?? '',
          r.reviewer?.name ?? '',
          r.triggers.map((t) => labelOf(REVIEW_TRIGGER, t)).join('; '),
          r.dueAt.toISOString(),
          r.completedAt?.toISOString() ?? '',
          labelOf(REVIEW_OUTCOME, r.outcome),
          r.completedBy?.name ?? '',
          r.notes ?? '',
        ]),
      ),
    ];
  }
  await db.$transaction((tx) =>
    appendAuditEvent(tx, {
      action: 'audit.exported',
      actor: { type: 'USER', id: actor.id },
      details: { format: 'csv', filter: { campaignId: campaign.id, part }, count: lines.length - 1 },
    }),
  );
  return { csv: lines.join(''), filename: `campaign-${campaign.id}-${part}.csv` };
}
