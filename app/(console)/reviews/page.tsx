import { CalendarCheck } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { AccessDenied } from '@/components/access-denied';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Badge } from '@/components/ui/badge';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { getPageAccess } from '@/lib/auth';
import { listOpenReviews } from '@/lib/reviews/queries';

export const metadata: Metadata = { title: 'Reviews' };

export default async function ReviewsPage() {
  const { actor, denied } = await getPageAccess('agent.read', '/reviews');
  if (denied) return <AccessDenied reason={denied} />;
  const rows = await listOpenReviews(actor);
  return (
    <>
      <PageHeader title="Reviews" description="Open lifecycle reviews, soonest due first." />
      {rows.length === 0 ? (
        <EmptyState icon={CalendarCheck} title="No reviews are open">
          <p>
            Reviews open on schedule and when an agent’s purpose, tools, environments or owners change. Agents whose
            scheduled review date has passed are listed under{' '}
            <Link href="/agents?reviewOverdue=1" className="text-primary underline underline-offset-2">
              Agents with a review overdue
            </Link>
            .
          </p>
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <tr>
              <TH>Agent</TH>
              <TH>Why</TH>
              <TH>Reviewer</TH>
              <TH>Due</TH>
            </tr>
          </THead>
          <TBody>
            {rows.map((r) => (
              <TR key={r.id}>
                <TD className="font-medium">{r.agent.name}</TD>
                <TD>
                  <div className="flex flex-wrap gap-1">
                    {r.triggers.map((t) => (
                      <Badge key={t}>{t.replace('_', ' ').toLowerCase()}</Badge>
                    ))}
                  </div>
                </TD>
                <TD>{r.reviewer?.name ?? 'Unassigned'}</TD>
                <TD>
                  <RelativeTime value={r.dueAt} />
                </TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
