import { Bell } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { FilterSelect } from '@/components/forms/filter-fields';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { NotificationStatusBadge } from '@/components/vocabulary';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { kindTitle, NOTIFICATION_KIND_IDS, NOTIFICATION_KINDS } from '@/lib/notifications/kinds';
import { DeliveryFilterSchema, listNotifications, PAGE_SIZE, type DeliveryRow } from '@/lib/notifications/queries';
import { labelOf, NOTIFICATION_CHANNEL, NOTIFICATION_STATUS, optionsOf } from '@/lib/vocabulary';
import { ResendButton } from './_components/resend-button';

export const metadata: Metadata = { title: 'Notifications' };
export const dynamic = 'force-dynamic';

function Attempts({ row }: { row: DeliveryRow }) {
  if (row.attempts.length === 0) {
    return <span className="text-muted-foreground">{row.lastError ?? 'None yet'}</span>;
  }
  return (
    <details>
      <summary className="cursor-pointer">
        {row.attempts.length} attempt{row.attempts.length === 1 ? '' : 's'}
        {row.lastError ? <span className="text-danger">: {row.lastError}</span> : null}
      </summary>
      <ol className="mt-1 flex flex-col gap-0.5 text-xs" aria-label="Delivery attempts, newest first">
        {row.attempts.map((a, i) => (
          <li key={i} className={a.ok ? 'text-success' : 'text-danger'}>
            <RelativeTime value={a.at} /> · {a.ok ? 'accepted' : 'failed'} · {a.detail} · {a.durationMs} ms
          </li>
        ))}
      </ol>
    </details>
  );
}

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('notifications.read', '/notifications');
  const filter = parseSearchParams(DeliveryFilterSchema, await searchParams);
  const { rows, total, everyone } = await listNotifications(actor, filter);
  const page = filter.page ?? 1;
  const filtered = Boolean(filter.status || filter.kind || filter.channel);
  const href = (p: number) => {
    const q = new URLSearchParams();
    for (const key of ['status', 'kind', 'channel'] as const) if (filter[key]) q.set(key, filter[key]!);
    if (p > 1) q.set('page', String(p));
    const s = q.toString();
    return `/notifications${s ? `?${s}` : ''}`;
  };
  return (
    <>
      <PageHeader
        title="Notifications"
        description={
          everyone
            ? `The delivery log: ${total.toLocaleString('en')} notification(s)${filtered ? ' match' : ''}, each with ` +
              'its attempts. Failed ones are retried with backoff, then dead-lettered here to send again.'
            : `What Custodian told you: ${total.toLocaleString('en')} notification(s). ` +
              'Choose which reach you by e-mail.'
        }
        actions={
          <>
            <Link href="/notifications/preferences" className="text-primary underline underline-offset-2">
              Your e-mail preferences
            </Link>
            {can(actor, 'notifications.manage') ? (
              <Link href="/notifications/endpoints" className="text-primary underline underline-offset-2">
                Webhooks and Slack
              </Link>
            ) : null}
          </>
        }
      />
      <form action="/notifications" className="mb-3 flex flex-wrap items-end gap-3" aria-label="Filter notifications">
        <FilterSelect
          label="Status"
          name="status"
          defaultValue={filter.status ?? ''}
          options={optionsOf(NOTIFICATION_STATUS)}
        />
        <FilterSelect
          label="Kind"
          name="kind"
          defaultValue={filter.kind ?? ''}
          options={NOTIFICATION_KIND_IDS.map((k) => ({ value: k, label: NOTIFICATION_KINDS[k].title }))}
        />
        <FilterSelect
          label="Channel"
          name="channel"
          defaultValue={filter.channel ?? ''}
          options={optionsOf(NOTIFICATION_CHANNEL)}
        />
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
        {filtered ? (
          <Link href="/notifications" className="pb-2 text-primary underline underline-offset-2">
            Clear filters
          </Link>
        ) : null}
      </form>
      {rows.length === 0 ? (
        <EmptyState icon={Bell} title={filtered ? 'No notification matches these filters' : 'Nothing sent yet'}>
          {filtered
            ? 'Try a broader filter, or clear them.'
            : 'Custodian writes a notification when someone must act: a break-glass request, a decision, a review ' +
              'due, a critical finding. They appear here as they are sent.'}
        </EmptyState>
      ) : (
        <>
          <Table aria-label="Notifications, newest first">
            <THead>
              <TR>
                <TH>When</TH>
                <TH>Notification</TH>
                <TH>To</TH>
                <TH>Status</TH>
                <TH>Attempts</TH>
                {everyone ? <TH>Resend</TH> : null}
              </TR>
            </THead>
            <TBody>
              {rows.map((row) => (
                <TR key={row.id} data-testid={`notification-${row.id}`} data-kind={row.kind}>
                  <TD className="whitespace-nowrap">
                    <RelativeTime value={row.createdAt} />
                  </TD>
                  <TD>
                    <Link href={row.path} className="font-medium text-primary underline-offset-2 hover:underline">
                      {row.subject}
                    </Link>
                    <div className="text-xs text-muted-foreground">{kindTitle(row.kind)}</div>
                  </TD>
                  <TD>
                    <div>{row.recipient}</div>
                    <div className="text-xs text-muted-foreground">{labelOf(NOTIFICATION_CHANNEL, row.channel)}</div>
                  </TD>
                  <TD>
                    <NotificationStatusBadge status={row.status} />
                    {row.status === 'PENDING' && row.attempts.length > 0 ? (
                      <div className="text-xs text-muted-foreground">
                        Next try <RelativeTime value={row.nextAttemptAt} />
                      </div>
                    ) : null}
                    {row.status === 'SKIPPED' && row.lastError ? (
                      <div className="text-xs text-muted-foreground">{row.lastError}</div>
                    ) : null}
                  </TD>
                  <TD className="text-sm">
                    <Attempts row={row} />
                  </TD>
                  {everyone ? (
                    <TD>
                      {row.status === 'PENDING' ? null : (
                        <ResendButton id={row.id} status={row.status} subject={row.subject} />
                      )}
                    </TD>
                  ) : null}
                </TR>
              ))}
            </TBody>
          </Table>
          <nav aria-label="Pages" className="mt-3 flex items-center gap-3 text-sm">
            {page > 1 ? <Link href={href(page - 1)}>Newer</Link> : null}
            <span className="text-muted-foreground">
              Page {page} of {Math.max(1, Math.ceil(total / PAGE_SIZE))}
            </span>
            {page * PAGE_SIZE < total ? <Link href={href(page + 1)}>Older</Link> : null}
          </nav>
        </>
      )}
    </>
  );
}
