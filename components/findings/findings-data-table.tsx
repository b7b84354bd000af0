'use client';

import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { RiskTierBadge, SeverityBadge } from '@/components/vocabulary';
import type { RiskTier } from '@/lib/generated/prisma/enums';
import type { SEVERITY } from '@/lib/vocabulary';

/** A finding as the table shows it: plain data (a rule's query stays on the server). */
export type FindingRowView = {
  id: string;
  severity: keyof typeof SEVERITY;
  title: string;
  explanation: string;
  fix: string;
  fixHref: string;
  agent: { slug: string; name: string; riskTier: RiskTier; owner: string | null };
  detail: string;
};

const helper = createColumnHelper<DataTableFeatures, FindingRowView>();

const columns = helper.columns([
  helper.accessor('severity', { header: 'Severity', cell: ({ getValue }) => <SeverityBadge severity={getValue()} /> }),
  helper.accessor('title', {
    header: 'Finding',
    enableHiding: false,
    cell: ({ row: { original: f } }) => (
      <span className="font-medium" title={f.explanation}>
        {f.title}
      </span>
    ),
  }),
  helper.accessor('agent', {
    header: 'Agent',
    cell: ({ getValue }) => (
      <>
        <Link
          href={`/agents/${getValue().slug}`}
          className="mr-2 underline decoration-muted-foreground/40 underline-offset-2"
        >
          {getValue().name}
        </Link>
        <RiskTierBadge tier={getValue().riskTier} />
        <span className="block text-xs text-muted-foreground">owner {getValue().owner ?? 'none'}</span>
      </>
    ),
  }),
  helper.accessor('detail', {
    header: 'Detail',
    cell: ({ getValue }) => <span className="text-muted-foreground">{getValue()}</span>,
  }),
  helper.accessor('fix', {
    header: 'Fix',
    cell: ({ row: { original: f } }) => (
      <Link href={f.fixHref} className="text-primary underline underline-offset-2">
        {f.fix}
      </Link>
    ),
  }),
]);

export function FindingsDataTable({
  rows,
  caption,
  showAgent,
}: {
  rows: FindingRowView[];
  caption: string;
  showAgent: boolean;
}) {
  return (
    <DataTable
      id={showAgent ? 'findings' : 'agent-findings'}
      caption={caption}
      columns={showAgent ? columns : columns.filter((c) => c.header !== 'Agent')}
      data={rows}
    />
  );
}
