import { Flame } from 'lucide-react';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { RiskTierBadge } from '@/components/vocabulary';
import { ExceptionStatusBadge } from '@/components/vocabulary';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import type { ExceptionRow } from '@/lib/exceptions/queries';
import { exceptionStatusNow } from '@/lib/exceptions/status';
import { EXCEPTION_TYPE, labelOf } from '@/lib/vocabulary';

export function ExceptionTable({ rows, caption, when }: { rows: ExceptionRow[]; caption: string; when: (row: ExceptionRow) => ReactNode }) {
  const now = new Date();
  return (
    <Table>
      <caption className="sr-only">{caption}</caption>
      <THead>
        <tr>
          <TH>Exception</TH>
          <TH>Agent</TH>
          <TH>Status</TH>
          <TH>Requested by</TH>
          <TH>When</TH>
        </tr>
      </THead>
      <TBody>
        {rows.map((e) => (
          <TR key={e.id} className={e.agent.riskTier === 'CRITICAL' && e.status === 'PENDING' ? 'bg-danger/5' : undefined}>
            <TD>
              <Link href={`/exceptions/${e.id}`} className="font-medium text-primary underline-offset-2 hover:underline">
                {labelOf(EXCEPTION_TYPE, e.type)}
                {e.credential ? ` · ${e.credential.name}` : ''}
              </Link>
              {e.agent.riskTier === 'CRITICAL' && e.status === 'PENDING' ? (
                <span className="ml-2 inline-flex items-center gap-0.5 text-xs text-danger">
                  <Flame aria-hidden className="size-3" /> critical agent
                </span>
              ) : null}
            </TD>
            <TD>
              <Link href={`/agents/${e.agent.slug}`} className="mr-2 underline decoration-muted-foreground/40 underline-offset-2">
                {e.agent.name}
              </Link>
              <RiskTierBadge tier={e.agent.riskTier} />
            </TD>
            <TD>
              <ExceptionStatusBadge status={exceptionStatusNow(e, now)} />
              {e.status === 'PENDING' ? (
                <span className="ml-1 text-xs text-muted-foreground">
                  {e._count.decisions} of {e.requiredApprovals} approvals
                </span>
              ) : null}
            </TD>
            <TD>{e.requestedBy.name}</TD>
            <TD>{when(e)}</TD>
          </TR>
        ))}
      </TBody>
    </Table>
  );
}

export function requestedAgo(e: ExceptionRow) {
  return (
    <span>
      requested <RelativeTime value={e.createdAt} />
    </span>
  );
}
