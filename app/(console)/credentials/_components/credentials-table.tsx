'use client';

import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import type { CredentialRow } from '@/lib/credentials/queries';
import { CREDENTIAL_KIND, CREDENTIAL_STORAGE, ENVIRONMENT, ISSUANCE, labelOf } from '@/lib/vocabulary';

const helper = createColumnHelper<DataTableFeatures, CredentialRow>();

const columns = helper.columns([
  helper.accessor('name', {
    header: 'Credential',
    enableHiding: false,
    cell: ({ row: { original: c } }) => (
      <div>
        <div className="font-mono text-xs">{c.name}</div>
        <div className="text-xs text-muted-foreground">
          {labelOf(CREDENTIAL_KIND, c.kind)}
          {c.privileged ? ' · privileged' : ''}
          {c.gated ? ' · only through the gate' : ''}
          {c.boundToWorkloadIdentity ? ' · bound to workload identity' : ''}
        </div>
      </div>
    ),
  }),
  helper.accessor('agent', {
    header: 'Agent',
    cell: ({ getValue }) => (
      <Link href={`/agents/${getValue().slug}`} className="text-primary underline-offset-2 hover:underline">
        {getValue().name}
      </Link>
    ),
  }),
  helper.accessor('issuance', { header: 'Issuance', cell: ({ getValue }) => labelOf(ISSUANCE, getValue()) }),
  helper.accessor('storage', {
    header: 'Stored in',
    cell: ({ row: { original: c } }) => (
      <>
        {labelOf(CREDENTIAL_STORAGE, c.storage)}
        {c.secretRef ? <div className="font-mono text-xs text-muted-foreground">{c.secretRef}</div> : null}
      </>
    ),
  }),
  helper.accessor('environment', { header: 'Environment', cell: ({ getValue }) => labelOf(ENVIRONMENT, getValue()) }),
  helper.accessor('lastRotatedAt', {
    header: 'Last rotated',
    cell: ({ getValue }) => {
      const at = getValue();
      return at ? <RelativeTime value={at} /> : '—';
    },
  }),
  helper.accessor('revokedAt', {
    header: 'State',
    cell: ({ getValue }) => (getValue() ? <Badge>Revoked</Badge> : <Badge tone="success">In use</Badge>),
  }),
]);

export function CredentialsTable({ rows }: { rows: CredentialRow[] }) {
  return <DataTable id="credentials" caption="Credentials" columns={columns} data={rows} />;
}
