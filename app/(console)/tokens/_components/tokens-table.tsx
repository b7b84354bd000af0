'use client';

import { createColumnHelper } from '@tanstack/react-table';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { RevokeTokenButton } from './token-controls';

export type TokenRow = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  reach: string;
  createdAt: Date;
  expiresAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  version: number;
  createdBy: { name: string | null };
};

const helper = createColumnHelper<DataTableFeatures, TokenRow>();

const columns = helper.columns([
  helper.accessor('name', {
    header: 'Name',
    enableHiding: false,
    cell: ({ row: { original: t } }) => (
      <>
        <span className="font-medium">{t.name}</span>{' '}
        <span className="font-mono text-xs text-muted-foreground">{t.prefix}…</span>
      </>
    ),
  }),
  helper.accessor('scopes', {
    header: 'Scopes',
    cell: ({ getValue }) => (
      <span className="flex flex-wrap gap-1">
        {getValue().map((s) => (
          <Badge key={s} className="font-mono">
            {s}
          </Badge>
        ))}
      </span>
    ),
  }),
  helper.accessor('reach', { header: 'Reaches', cell: ({ getValue }) => getValue() }),
  helper.accessor('createdAt', {
    header: 'Created',
    cell: ({ row: { original: t } }) => (
      <>
        <RelativeTime value={t.createdAt} /> by {t.createdBy.name}
      </>
    ),
  }),
  helper.accessor('expiresAt', { header: 'Expires', cell: ({ getValue }) => <RelativeTime value={getValue()} /> }),
  helper.accessor('lastUsedAt', {
    header: 'Last used',
    cell: ({ getValue }) => {
      const at = getValue();
      return at ? <RelativeTime value={at} /> : 'Never';
    },
  }),
  helper.display({
    id: 'status',
    header: 'Status',
    cell: ({ row: { original: t } }) =>
      t.revokedAt ? (
        <Badge>Revoked</Badge>
      ) : t.expiresAt.getTime() <= Date.now() ? (
        <Badge tone="warning">Expired</Badge>
      ) : (
        <RevokeTokenButton tokenId={t.id} version={t.version} name={t.name} />
      ),
  }),
]);

export function TokensTable({ rows }: { rows: TokenRow[] }) {
  return <DataTable id="tokens" caption="API tokens" columns={columns} data={rows} />;
}
