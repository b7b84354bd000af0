'use client';

import { createColumnHelper } from '@tanstack/react-table';
import { Flame } from 'lucide-react';
import Link from 'next/link';
import { DataTable, type DataTableFeatures } from '@/components/data-table/data-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { ExceptionStatusBadge, RiskTierBadge } from '@/components/vocabulary';
import type { ExceptionRow } from '@/lib/exceptions/queries';
import { exceptionStatusNow } from '@/lib/exceptions/status';
import { DECISION_OUTCOME, EXCEPTION_TYPE, labelOf } from '@/lib/vocabulary';
import { ExpiresIn } from './expires-in';

/** Which moment the "When" column shows: a request's age, an in-force window's countdown, or when it ended. */
export type ExceptionWhen = 'requested' | 'expires' | 'ended';

const helper = createColumnHelper<DataTableFeatures, ExceptionRow>();

function columnsFor(when: ExceptionWhen) {
  const critical = (e: ExceptionRow) => e.agent.riskTier === 'CRITICAL' && e.status === 'PENDING';
  return helper.columns([
    helper.accessor('type', {
      header: 'Exception',
      enableHiding: false,
      cell: ({ row: { original: e } }) => (
        <>
          <Link href={`/exceptions/${e.id}`} className="font-medium text-primary underline-offset-2 hover:underline">
            {labelOf(EXCEPTION_TYPE, e.type)}
            {e.credentials.length > 0 ? ` · ${e.credentials.map((c) => c.credential.name).join(', ')}` : ''}
          </Link>
          {critical(e) ? (
            <span className="ml-2 inline-flex items-center gap-0.5 text-xs text-danger">
              <Flame aria-hidden className="size-3" /> critical agent
            </span>
          ) : null}
        </>
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
        </>
      ),
    }),
    helper.accessor('status', {
      header: 'Status',
      cell: ({ row: { original: e } }) => (
        <>
          <ExceptionStatusBadge status={exceptionStatusNow(e, new Date())} />
          {e.status === 'PENDING' ? (
            <span className="ml-1 text-xs text-muted-foreground">
              {e._count.decisions} of {e.requiredApprovals} approvals
            </span>
          ) : null}
        </>
      ),
    }),
    helper.accessor('requestedBy', { header: 'Requested by', cell: ({ getValue }) => getValue().name }),
    helper.accessor('decisions', {
      header: 'Decisions and reasons',
      cell: ({ row: { original: e } }) =>
        e.decisions.length === 0 && !e.revokedAt ? (
          <span className="text-muted-foreground">None yet</span>
        ) : (
          <ul className="flex flex-col gap-0.5 text-xs">
            {e.decisions.map((d) => (
              <li key={d.id}>
                <span className="font-medium">{labelOf(DECISION_OUTCOME, d.outcome)}</span> by {d.decider.name}: “
                {d.reason}”
              </li>
            ))}
            {e.revokedAt ? (
              <li>
                <span className="font-medium">Revoked</span> by {e.revokedBy?.name}: “{e.revokeReason}”
              </li>
            ) : null}
          </ul>
        ),
    }),
    helper.display({
      id: 'when',
      header: 'When',
      cell: ({ row: { original: e } }) =>
        when === 'expires' ? (
          <ExpiresIn at={e.expiresAt} />
        ) : when === 'ended' && (e.endedAt ?? e.revokedAt) ? (
          <span>
            ended <RelativeTime value={(e.endedAt ?? e.revokedAt)!} />
          </span>
        ) : (
          <span>
            requested <RelativeTime value={e.createdAt} />
          </span>
        ),
    }),
  ]);
}

const COLUMNS: Record<ExceptionWhen, ReturnType<typeof columnsFor>> = {
  requested: columnsFor('requested'),
  expires: columnsFor('expires'),
  ended: columnsFor('ended'),
};

export function ExceptionTable({
  rows,
  caption,
  when,
}: {
  rows: ExceptionRow[];
  caption: string;
  when: ExceptionWhen;
}) {
  return <DataTable id={`exceptions-${when}`} caption={caption} columns={COLUMNS[when]} data={rows} />;
}
