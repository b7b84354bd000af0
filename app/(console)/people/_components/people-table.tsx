'use client';

import { createColumnHelper } from '@tanstack/react-table';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { Badge } from '@/components/ui/badge';
import type { PersonRow } from '@/lib/users/queries';
import { labelOf, ROLE } from '@/lib/vocabulary';
import { PersonActions } from './person-actions';

const helper = createColumnHelper<DataTableFeatures, PersonRow>();

const base = helper.columns([
  helper.accessor('name', {
    header: 'Person',
    enableHiding: false,
    cell: ({ row: { original: p } }) => (
      <>
        <div className="font-medium">{p.name ?? 'Unnamed person'}</div>
        <div className="text-xs text-muted-foreground">{p.email}</div>
      </>
    ),
  }),
  helper.accessor('roles', {
    header: 'Roles',
    cell: ({ getValue }) => (
      <div className="flex flex-wrap gap-1">
        {getValue().length === 0 ? <span className="text-muted-foreground">No role</span> : null}
        {getValue().map((r) => (
          <Badge key={r}>{labelOf(ROLE, r)}</Badge>
        ))}
      </div>
    ),
  }),
  helper.accessor('active', {
    header: 'Status',
    cell: ({ getValue }) =>
      getValue() ? <Badge tone="success">Active</Badge> : <Badge tone="danger">Deactivated</Badge>,
  }),
  helper.accessor('ownedAgents', {
    header: 'Agents owned',
    cell: ({ getValue }) => <span className="tabular-nums">{getValue()}</span>,
  }),
  helper.accessor('controlledPlanes', {
    header: 'Control planes held',
    cell: ({ getValue }) => <span className="tabular-nums">{getValue()}</span>,
  }),
  helper.display({ id: 'manage', header: 'Manage', cell: ({ row }) => <PersonActions person={row.original} /> }),
]);
const readOnly = base.filter((c) => c.header !== 'Manage');

export function PeopleTable({ rows, canManage }: { rows: PersonRow[]; canManage: boolean }) {
  return <DataTable id="people" caption="People" columns={canManage ? base : readOnly} data={rows} />;
}
