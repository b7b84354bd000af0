'use client';

import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { PersonCell } from '@/components/person-cell';
import { RelativeTime } from '@/components/ui/relative-time';
import { OutcomeBadge, RiskTierBadge } from '@/components/vocabulary';
import { daysOverdue } from '@/lib/reviews/cadence';
import type { ReviewRow } from '@/lib/reviews/queries';
import { DueBadge, TriggerBadges } from './review-badges';

const helper = createColumnHelper<DataTableFeatures, ReviewRow>();

function columnsFor(timeZone: string, showCampaign: boolean) {
  const all = helper.columns([
    helper.accessor('agent', {
      header: 'Agent',
      enableHiding: false,
      cell: ({ row: { original: r } }) => (
        <>
          <Link href={`/reviews/${r.id}`} className="mr-2 font-medium text-primary underline-offset-2 hover:underline">
            {r.agent.name}
          </Link>
          <RiskTierBadge tier={r.agent.riskTier} />
        </>
      ),
    }),
    helper.accessor('triggers', { header: 'Why', cell: ({ getValue }) => <TriggerBadges triggers={getValue()} /> }),
    helper.display({
      id: 'owner',
      header: 'Owner',
      cell: ({ row: { original: r } }) => <PersonCell person={r.agent.owner} missing="No owner" />,
    }),
    helper.accessor('reviewer', {
      header: 'Reviewer',
      cell: ({ getValue }) => <PersonCell person={getValue()} missing="Unassigned" />,
    }),
    helper.display({
      id: 'due',
      header: 'Due or outcome',
      cell: ({ row: { original: r } }) =>
        r.completedAt && r.outcome ? (
          <span className="flex flex-wrap items-center gap-1">
            <OutcomeBadge outcome={r.outcome} /> <RelativeTime value={r.completedAt} />
          </span>
        ) : (
          <DueBadge dueAt={r.dueAt} daysOverdue={daysOverdue(r.dueAt, new Date(), timeZone)} timeZone={timeZone} />
        ),
    }),
    helper.accessor('campaign', {
      header: 'Campaign',
      cell: ({ getValue }) => {
        const c = getValue();
        return c ? (
          <Link
            href={`/reviews/campaigns/${c.id}`}
            className="underline decoration-muted-foreground/40 underline-offset-2"
          >
            {c.name}
          </Link>
        ) : (
          <span className="text-muted-foreground">—</span>
        );
      },
    }),
  ]);
  return showCampaign ? all : all.filter((column) => column.header !== 'Campaign');
}

/** Reviews as a table: open ones with when they fall due (overdue in red), completed ones with their outcome. */
export function ReviewTable({
  rows,
  caption,
  timeZone,
  showCampaign = true,
}: {
  rows: ReviewRow[];
  caption: string;
  timeZone: string;
  showCampaign?: boolean;
}) {
  return <DataTable id="reviews" caption={caption} columns={columnsFor(timeZone, showCampaign)} data={rows} />;
}
