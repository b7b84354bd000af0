'use client';

import { createColumnHelper } from '@tanstack/react-table';
import Link from 'next/link';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import type { ChangeRow } from '@/lib/change-requests/queries';
import { CHANGE_REQUEST_KIND, CHANGE_REQUEST_STATUS, labelOf } from '@/lib/vocabulary';
import { DecideChange, WithdrawChange } from './change-controls';

/** The fields a redaction would replace by a tombstone, each a link to its event on the timeline. */
function Redaction({ to }: { to: unknown }) {
  const fields = ((to as { fields?: { seq: string; pointer: string }[] } | null)?.fields ?? []).slice(0, 50);
  return (
    <ul className="font-mono text-xs">
      {fields.map((f) => (
        <li key={`${f.seq} ${f.pointer}`}>
          redact {f.pointer} of{' '}
          <Link href={`/timeline/redact?seq=${f.seq}`} className="text-primary underline-offset-2 hover:underline">
            event #{f.seq}
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** What changes, as "field: before → after" lines (values are policy data, never secrets). */
function Diff({ from, to }: { from: unknown; to: unknown }) {
  const before = (from ?? {}) as Record<string, unknown>;
  const after = (to ?? {}) as Record<string, unknown>;
  const keys = typeof after === 'object' && after !== null ? Object.keys(after) : [];
  return (
    <ul className="font-mono text-xs">
      {keys.map((k) => (
        <li key={k}>
          {k}: {JSON.stringify(before[k] ?? null)} → {JSON.stringify(after[k])}
        </li>
      ))}
    </ul>
  );
}

const helper = createColumnHelper<DataTableFeatures, ChangeRow & { canDecide: boolean; mine: boolean }>();

const columns = helper.columns([
  helper.accessor('kind', {
    header: 'Change',
    enableHiding: false,
    cell: ({ row: { original: c } }) => (
      <>
        <div className="font-medium">{labelOf(CHANGE_REQUEST_KIND, c.kind)}</div>
        <div className="text-xs text-muted-foreground">
          {c.agent ? (
            <Link href={`/agents/${c.agent.slug}`} className="text-primary underline-offset-2 hover:underline">
              {c.agent.name}
              {c.credential ? ` · ${c.credential.name}` : ''}
            </Link>
          ) : c.targetName ? (
            `for ${c.targetName}`
          ) : c.settingKey ? (
            `setting ${c.settingKey}`
          ) : null}
        </div>
      </>
    ),
  }),
  helper.accessor('to', {
    header: 'What would change',
    cell: ({ row: { original: c } }) =>
      c.kind === 'AUDIT_REDACTION' ? <Redaction to={c.to} /> : <Diff from={c.from} to={c.to} />,
  }),
  helper.accessor('requestedBy', {
    header: 'Asked by',
    cell: ({ row: { original: c } }) => (
      <>
        {c.requestedBy.name} <RelativeTime value={c.createdAt} />
        <div className="text-xs text-muted-foreground">“{c.reason}”</div>
      </>
    ),
  }),
  helper.accessor('status', {
    header: 'Decision',
    cell: ({ row: { original: c } }) =>
      c.status === 'PENDING' ? (
        c.canDecide && !c.mine ? (
          <DecideChange changeRequestId={c.id} version={c.version} />
        ) : c.mine ? (
          <WithdrawChange changeRequestId={c.id} version={c.version} />
        ) : (
          <Badge tone="warning">{labelOf(CHANGE_REQUEST_STATUS, c.status)}</Badge>
        )
      ) : (
        <>
          <Badge tone={c.status === 'APPLIED' ? 'success' : 'neutral'}>
            {labelOf(CHANGE_REQUEST_STATUS, c.status)}
          </Badge>{' '}
          {c.decidedBy?.name}
          {c.decisionReason ? <div className="text-xs text-muted-foreground">“{c.decisionReason}”</div> : null}
        </>
      ),
  }),
]);

export function ChangesTable({ rows }: { rows: (ChangeRow & { canDecide: boolean; mine: boolean })[] }) {
  return <DataTable id="changes" caption="Changes that need a second person" columns={columns} data={rows} />;
}
