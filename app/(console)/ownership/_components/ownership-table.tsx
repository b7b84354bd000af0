'use client';

import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { PersonCell } from '@/components/person-cell';
import { Badge } from '@/components/ui/badge';
import { AgentStatusBadge } from '@/components/vocabulary';
import type { OwnershipRow } from '@/lib/ownership/queries';
import { CONTROL_PLANE, valuesOf } from '@/lib/vocabulary';

const helper = createColumnHelper<DataTableFeatures, OwnershipRow>();

const holdsAll = (row: OwnershipRow) => {
  const holders = valuesOf(CONTROL_PLANE).map((p) => row.planes[p]?.id);
  return holders[0] !== undefined && holders.every((h) => h === holders[0]);
};

const columns = helper.columns([
  helper.accessor('name', {
    header: 'Agent',
    enableHiding: false,
    cell: ({ row: { original: row } }) => (
      <>
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/agents/${row.slug}`} className="font-medium text-primary underline-offset-2 hover:underline">
            {row.name}
          </Link>
          <AgentStatusBadge status={row.status} />
          {holdsAll(row) ? <Badge tone="warning">One person holds all planes</Badge> : null}
        </div>
        <div className="font-mono text-xs text-muted-foreground">{row.slug}</div>
      </>
    ),
  }),
  helper.accessor('owner', {
    header: 'Accountable owner',
    cell: ({ getValue }) => <PersonCell person={getValue()} missing="No owner" />,
  }),
  helper.display({
    id: 'IAM',
    header: CONTROL_PLANE.IAM.label,
    cell: ({ row }) => <PersonCell person={row.original.planes.IAM} />,
  }),
  helper.display({
    id: 'PAM',
    header: CONTROL_PLANE.PAM.label,
    cell: ({ row }) => <PersonCell person={row.original.planes.PAM} />,
  }),
  helper.display({
    id: 'PLATFORM',
    header: CONTROL_PLANE.PLATFORM.label,
    cell: ({ row }) => <PersonCell person={row.original.planes.PLATFORM} />,
  }),
]);

export function OwnershipTable({ rows }: { rows: OwnershipRow[] }) {
  return <DataTable id="ownership" caption="Ownership matrix" columns={columns} data={rows} />;
}
