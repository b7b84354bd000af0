import { ClipboardCheck, Download, Users } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { PersonCell } from '@/components/person-cell';
import { ReviewTable } from '@/components/reviews/review-table';
import { Section } from '@/components/section';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { localDay } from '@/lib/reviews/cadence';
import { CampaignListQuerySchema, getCampaign, listCampaignReviews } from '@/lib/reviews/queries';
import type { CampaignFilter } from '@/lib/reviews/schema';
import { getPolicy } from '@/lib/settings';
import {
  AGENT_KIND,
  AGENT_STATUS,
  CAMPAIGN_STATUS,
  ENVIRONMENT,
  labelOf,
  REVIEW_OUTCOME,
  RISK_TIER,
  wordOf,
  type Vocabulary,
} from '@/lib/vocabulary';
import { CloseCampaignButton } from '../_components/campaign-controls';

export const metadata: Metadata = { title: 'Campaign' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<SearchParams> };
const words = <V extends string>(vocabulary: Vocabulary<V>, list: string[]) =>
  list.map((v) => labelOf(vocabulary, v)).join(', ');

export default async function CampaignPage({ params, searchParams }: Props) {
  const { id } = await params;
  const actor = await requirePageAccess('agent.read', `/reviews/campaigns/${id}`);
  const campaign = await getCampaign(actor, id);
  if (!campaign) notFound();
  const query = parseSearchParams(CampaignListQuerySchema, await searchParams);
  const [{ reviewTiming }, reviews] = await Promise.all([getPolicy(), listCampaignReviews(actor, campaign.id, query)]);
  const { progress } = campaign;
  const filter = campaign.filter as CampaignFilter;
  const percent = progress.total ? Math.round((progress.done / progress.total) * 100) : 0;
  return (
    <div className="flex flex-col gap-4">
      <div>
        <div className="text-xs text-muted-foreground">
          <Link href="/reviews/campaigns" className="underline underline-offset-2">
            Campaigns
          </Link>
        </div>
        <h1 className="mt-1 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight">
          {campaign.name}{' '}
          <Badge tone={campaign.status === 'OPEN' ? 'info' : 'neutral'}>
            {labelOf(CAMPAIGN_STATUS, campaign.status)}
          </Badge>
        </h1>
        <p className="mt-1 text-muted-foreground">
          {words(RISK_TIER, filter.riskTiers)} · {words(AGENT_STATUS, filter.statuses)} ·{' '}
          {filter.environments.length ? words(ENVIRONMENT, filter.environments) : 'every environment'} ·{' '}
          {filter.kinds.length ? words(AGENT_KIND, filter.kinds) : 'every kind'} · deadline{' '}
          {localDay(campaign.deadline, reviewTiming.timeZone)} · started by {campaign.startedBy.name}
        </p>
      </div>

      <Section title="Progress" icon={ClipboardCheck} id="progress">
        <p className="text-lg font-medium tabular-nums" data-testid="campaign-progress">
          {progress.done} of {progress.total} done · {progress.open} open · {progress.overdue} overdue
        </p>
        {campaign.closedAt ? (
          <p className="mt-1" data-testid="campaign-closed">
            Closed {localDay(campaign.closedAt, reviewTiming.timeZone)} with{' '}
            {(campaign.summary as { done?: number } | null)?.done ?? progress.done} of{' '}
            {(campaign.summary as { total?: number } | null)?.total ?? progress.total} reviews done. Reviews still open
            then stay open outside the campaign.
          </p>
        ) : null}
        <div
          className="mt-2 h-2 w-full overflow-hidden rounded bg-muted"
          role="progressbar"
          aria-label="Reviews done"
          aria-valuemin={0}
          aria-valuemax={progress.total}
          aria-valuenow={progress.done}
        >
          <div className="h-full bg-success" style={{ width: `${percent}%` }} />
        </div>
        {Object.keys(progress.byOutcome).length ? (
          <p className="mt-2 text-muted-foreground">
            Outcomes:{' '}
            {Object.entries(progress.byOutcome)
              .map(([o, n]) => `${n} ${wordOf(REVIEW_OUTCOME, o)}`)
              .join(', ')}
          </p>
        ) : null}
        <div className="mt-3 flex flex-wrap gap-4">
          {campaign.status === 'OPEN' && can(actor, 'review.campaign') ? (
            <CloseCampaignButton campaignId={campaign.id} version={campaign.version} open={progress.open} />
          ) : null}
          {can(actor, 'audit.export') ? (
            <>
              <a
                href={`/reviews/campaigns/${campaign.id}/export`}
                className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
              >
                <Download aria-hidden className="size-4" /> Reviews (CSV)
              </a>
              <a
                href={`/reviews/campaigns/${campaign.id}/export?part=summary`}
                className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
              >
                <Download aria-hidden className="size-4" /> Summary per reviewer (CSV)
              </a>
            </>
          ) : null}
        </div>
      </Section>

      <Section title="By reviewer" icon={Users} id="by-reviewer">
        <Table>
          <caption className="sr-only">Progress by reviewer</caption>
          <THead>
            <tr>
              <TH>Reviewer</TH>
              <TH>Done</TH>
              <TH>Open</TH>
              <TH>Overdue</TH>
            </tr>
          </THead>
          <TBody>
            {progress.byReviewer.map((r) => (
              <TR key={r.reviewerId ?? 'none'}>
                <TD>
                  <PersonCell person={r.reviewerId ? { name: r.reviewerName, active: true } : null} />
                </TD>
                <TD className="tabular-nums">{r.done}</TD>
                <TD className="tabular-nums">{r.open}</TD>
                <TD className={r.overdue ? 'text-danger tabular-nums' : 'tabular-nums'}>{r.overdue}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      </Section>

      <Section title={`Reviews (${progress.total})`} id="reviews">
        <ReviewTable
          rows={reviews.rows}
          caption="Reviews in this campaign"
          timeZone={reviewTiming.timeZone}
          showCampaign={false}
        />
        <DataTablePagination
          shown={reviews.rows.length}
          size={query.size}
          total={progress.total}
          next={reviews.next}
          prev={reviews.prev}
          noun="review"
        />
      </Section>
    </div>
  );
}
