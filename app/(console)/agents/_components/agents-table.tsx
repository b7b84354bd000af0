'use client';

import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { PersonCell } from '@/components/person-cell';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { AgentStatusBadge, RiskTierBadge } from '@/components/vocabulary';
import type { AgentRow } from '@/lib/agents/list';
import { AGENT_KIND, ENVIRONMENT, labelOf } from '@/lib/vocabulary';

const helper = createColumnHelper<DataTableFeatures, AgentRow>();
const noSort = { enableSorting: false } as const;

const columns = helper.columns([
  helper.accessor('name', {
    header: 'Agent',
    enableHiding: false,
    cell: ({ row }) => (
      <div>
        <Link
          href={`/agents/${row.original.slug}`}
          className="font-medium text-primary underline-offset-2 hover:underline"
        >
          {row.original.name}
        </Link>
        <div className="font-mono text-xs text-muted-foreground">{row.original.slug}</div>
      </div>
    ),
  }),
  helper.accessor('status', { header: 'Status', cell: ({ getValue }) => <AgentStatusBadge status={getValue()} /> }),
  helper.accessor('riskTier', { header: 'Risk tier', cell: ({ getValue }) => <RiskTierBadge tier={getValue()} /> }),
  helper.accessor('kind', { header: 'Kind', ...noSort, cell: ({ getValue }) => labelOf(AGENT_KIND, getValue()) }),
  helper.accessor('environments', {
    header: 'Environments',
    ...noSort,
    cell: ({ getValue }) => (
      <div className="flex gap-1">
        {getValue().map((e) => (
          <Badge key={e}>{labelOf(ENVIRONMENT, e)}</Badge>
        ))}
      </div>
    ),
  }),
  helper.accessor('owner', {
    header: 'Accountable owner',
    ...noSort,
    cell: ({ getValue }) => {
      const owner = getValue();
      return owner ? (
        <Link
          href={`/agents?owner=${owner.id}`}
          className="underline decoration-muted-foreground/40 underline-offset-2"
        >
          <PersonCell person={owner} />
        </Link>
      ) : (
        <PersonCell person={null} missing="No owner" />
      );
    },
  }),
  helper.accessor('planesAssigned', {
    header: 'Control planes',
    ...noSort,
    cell: ({ getValue }) =>
      getValue() === 3 ? <span>3 of 3</span> : <span className="text-danger">{getValue()} of 3</span>,
  }),
  helper.accessor('ready', {
    header: 'Ready for issuance',
    ...noSort,
    // The agent-level rules of the gate; the credential, task and TTL are checked per request on the agent's page.
    cell: ({ getValue, row }) =>
      getValue() ? (
        <Badge tone="success">Ready</Badge>
      ) : (
        <Link
          href={`/agents/${row.original.slug}#issuance`}
          className="text-muted-foreground underline decoration-muted-foreground/40 underline-offset-2"
        >
          Not ready: why?
        </Link>
      ),
  }),
  helper.accessor('workloadIdentity', {
    header: 'Workload identity',
    ...noSort,
    cell: ({ getValue }) => <span className="font-mono text-xs">{getValue() ?? '—'}</span>,
  }),
  helper.accessor('nextReviewDue', {
    header: 'Next review',
    cell: ({ getValue }) => {
      const v = getValue();
      return v ? <RelativeTime value={v} /> : '—';
    },
  }),
  helper.accessor('createdAt', { header: 'Registered', cell: ({ getValue }) => <RelativeTime value={getValue()} /> }),
]);

export function AgentsTable({ rows, sort, dir }: { rows: AgentRow[]; sort: string; dir: 'asc' | 'desc' }) {
  return (
    <DataTable
      id="agents"
      caption="Agents"
      columns={columns}
      data={rows}
      sort={sort}
      dir={dir}
      hiddenByDefault={['workloadIdentity', 'createdAt']}
    />
  );
}
