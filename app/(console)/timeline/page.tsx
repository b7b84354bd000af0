import { History } from 'lucide-react';
import type { Metadata } from 'next';
import { AccessDenied } from '@/components/access-denied';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { listRecentEvents } from '@/lib/audit';
import { getPageAccess } from '@/lib/auth';

export const metadata: Metadata = { title: 'Timeline' };

export default async function TimelinePage() {
  const { actor, denied } = await getPageAccess('audit.read', '/timeline');
  if (denied) return <AccessDenied reason={denied} />;
  const events = await listRecentEvents(actor);
  return (
    <>
      <PageHeader title="Timeline" description="The custody timeline, newest first: append-only and hash-chained." />
      {events.length === 0 ? (
        <EmptyState icon={History} title="No events yet">
          Events appear here as agents are registered and credentials are issued, used, rotated and revoked.
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <tr>
              <TH>Seq</TH>
              <TH>When</TH>
              <TH>Action</TH>
              <TH>Agent</TH>
              <TH>By</TH>
            </tr>
          </THead>
          <TBody>
            {events.map((e) => (
              <TR key={e.seq}>
                <TD className="font-mono text-xs tabular-nums">{e.seq}</TD>
                <TD>
                  <RelativeTime value={e.occurredAt} />
                </TD>
                <TD>
                  <Badge>{e.action}</Badge>
                </TD>
                <TD>{e.agent ? e.agent.name : '—'}</TD>
                <TD>{e.actor}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
