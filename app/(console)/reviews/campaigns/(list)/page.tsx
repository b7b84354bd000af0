import { ClipboardCheck } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Section } from '@/components/section';
import { Badge } from '@/components/ui/badge';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { listCampaigns } from '@/lib/reviews/queries';
import { StartCampaignForm } from '../_components/campaign-controls';

export const metadata: Metadata = { title: 'Certification campaigns' };

/** Thirty days from now, as the date input wants it. */
function defaultDeadline(): string {
  return new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
}

export default async function CampaignsPage() {
  const actor = await requirePageAccess('agent.read', '/reviews/campaigns');
  const campaigns = await listCampaigns(actor);
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Certification campaigns"
        description="Review a whole slice of the registry by a deadline: every matching agent gets a review, and progress is tracked per reviewer."
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
          <p>A security lead starts one over a filter, for example every high and critical agent in production, with a deadline.</p>
        </EmptyState>
      ) : (
        <Table>
          <caption className="sr-only">Certification campaigns</caption>
          <THead>
            <tr>
              <TH>Campaign</TH>
              <TH>Status</TH>
              <TH>Deadline</TH>
              <TH>Done</TH>
              <TH>Open</TH>
              <TH>Overdue</TH>
              <TH>Started by</TH>
            </tr>
          </THead>
          <TBody>
            {campaigns.map((c) => (
              <TR key={c.id}>
                <TD>
                  <Link href={`/reviews/campaigns/${c.id}`} className="font-medium text-primary underline-offset-2 hover:underline">
                    {c.name}
                  </Link>
                </TD>
                <TD>
                  <Badge tone={c.status === 'OPEN' ? 'info' : 'neutral'}>{c.status.toLowerCase()}</Badge>
                </TD>
                <TD>{c.deadline.toISOString().slice(0, 10)}</TD>
                <TD className="tabular-nums">
                  {c.progress.done} of {c.progress.total}
                </TD>
                <TD className="tabular-nums">{c.progress.open}</TD>
                <TD className={c.progress.overdue > 0 ? 'text-danger tabular-nums' : 'tabular-nums'}>{c.progress.overdue}</TD>
                <TD>{c.startedBy.name}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </div>
  );
}
