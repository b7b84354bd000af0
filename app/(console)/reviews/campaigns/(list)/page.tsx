import { ClipboardCheck } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Section } from '@/components/section';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { CampaignListQuerySchema, listCampaigns } from '@/lib/reviews/queries';
import { StartCampaignForm } from '../_components/campaign-controls';
import { CampaignsTable } from '../_components/campaigns-table';

export const metadata: Metadata = { title: 'Certification campaigns' };

/** Thirty days from now, as the date input wants it. */
function defaultDeadline(): string {
  return new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
}

export default async function CampaignsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('agent.read', '/reviews/campaigns');
  const query = parseSearchParams(CampaignListQuerySchema, await searchParams);
  const { rows: campaigns, total, next, prev } = await listCampaigns(actor, query);
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Certification campaigns"
        description={
          'Review a whole slice of the registry by a deadline: every matching agent gets a review, and progress ' +
          'is tracked per reviewer.'
        }
        actions={
          <Link href="/reviews" className="text-primary underline underline-offset-2">
            All reviews
          </Link>
        }
      />
      {can(actor, 'review.campaign') ? (
        <Section title="Start a campaign" icon={ClipboardCheck} id="start">
          <StartCampaignForm defaultDeadline={defaultDeadline()} />
        </Section>
      ) : null}
      {campaigns.length === 0 ? (
        <EmptyState icon={ClipboardCheck} title="No campaign yet">
          <p>
            A security lead starts one over a filter, for example every high and critical agent in production, with a
            deadline.
          </p>
        </EmptyState>
      ) : (
        <>
          <CampaignsTable rows={campaigns} />
          <DataTablePagination
            shown={campaigns.length}
            size={query.size}
            total={total}
            next={next}
            prev={prev}
            noun="campaign"
          />
        </>
      )}
    </div>
  );
}
