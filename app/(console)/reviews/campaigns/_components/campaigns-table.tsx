'use client';

import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { Badge } from '@/components/ui/badge';
import type { CampaignStatus } from '@/lib/generated/prisma/enums';
import { CAMPAIGN_STATUS, labelOf } from '@/lib/vocabulary';

export type CampaignRow = {
  id: string;
  name: string;
  status: CampaignStatus;
  deadline: Date;
  startedBy: { name: string | null };
  progress: { done: number; open: number; overdue: number; total: number };
};

const helper = createColumnHelper<DataTableFeatures, CampaignRow>();

const columns = helper.columns([
  helper.accessor('name', {
    header: 'Campaign',
    enableHiding: false,
    cell: ({ row: { original: c } }) => (
      <Link href={`/reviews/campaigns/${c.id}`} className="font-medium text-primary underline-offset-2 hover:underline">
        {c.name}
      </Link>
    ),
  }),
  helper.accessor('status', {
    header: 'Status',
    cell: ({ getValue }) => (
      <Badge tone={getValue() === 'OPEN' ? 'info' : 'neutral'}>{labelOf(CAMPAIGN_STATUS, getValue())}</Badge>
    ),
  }),
  helper.accessor('deadline', { header: 'Deadline', cell: ({ getValue }) => getValue().toISOString().slice(0, 10) }),
  helper.display({
    id: 'done',
    header: 'Done',
    cell: ({ row: { original: c } }) => (
      <span className="tabular-nums">
        {c.progress.done} of {c.progress.total}
      </span>
    ),
  }),
  helper.display({
    id: 'open',
    header: 'Open',
    cell: ({ row: { original: c } }) => <span className="tabular-nums">{c.progress.open}</span>,
  }),
  helper.display({
    id: 'overdue',
    header: 'Overdue',
    cell: ({ row: { original: c } }) => (
      <span className={c.progress.overdue > 0 ? 'text-danger tabular-nums' : 'tabular-nums'}>{c.progress.overdue}</span>
    ),
  }),
  helper.accessor('startedBy', { header: 'Started by', cell: ({ getValue }) => getValue().name }),
]);

export function CampaignsTable({ rows }: { rows: CampaignRow[] }) {
  return <DataTable id="campaigns" caption="Certification campaigns" columns={columns} data={rows} />;
}
