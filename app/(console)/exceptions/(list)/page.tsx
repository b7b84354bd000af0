import { ShieldAlert } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { EmptyState } from '@/components/empty-state';
import { FilterInput, FilterSelect } from '@/components/forms/filter-fields';
import { ListCount } from '@/components/data-table/list-count';
import { PageHeader } from '@/components/page-header';
import { cn } from '@/components/ui/cn';
import { RelativeTime } from '@/components/ui/relative-time';
import { requirePageAccess } from '@/lib/auth';
import { HISTORY_PAGE_SIZE, listExceptionHistory, listExceptionQueue } from '@/lib/exceptions/queries';
import { EXCEPTION_TYPES } from '@/lib/exceptions/schema';
import { ExceptionTable, requestedAgo } from '../_components/exception-table';
import { ExpiresIn } from '../_components/expires-in';
import { EXCEPTION_TYPE, optionsOf } from '@/lib/vocabulary';

export const metadata: Metadata = { title: 'Exceptions' };

type Props = { searchParams: Promise<Record<string, string | undefined>> };
const HISTORY_STATUSES = ['REJECTED', 'WITHDRAWN', 'EXPIRED', 'REVOKED'] as const;

export default async function ExceptionsPage({ searchParams }: Props) {
  const actor = await requirePageAccess('agent.read', '/exceptions');
  const params = await searchParams;
  const tab = params.tab === 'history' ? 'history' : 'queue';
  const tabLink = (t: string, label: string) => (
    <Link href={t === 'queue' ? '/exceptions' : '/exceptions?tab=history'} aria-current={tab === t ? 'page' : undefined} className={cn('border-b-2 px-3 py-2', tab === t ? 'border-primary font-medium' : 'border-transparent text-muted-foreground')}>
      {label}
    </Link>
  );
  return (
    <>
      <PageHeader title="Exceptions" description="Temporary, approved, time-bounded deviations from policy. Nobody decides their own request; break-glass on a critical agent needs two approvers." />
      <nav aria-label="Exception views" className="mb-4 flex border-b">
        {tabLink('queue', 'Queue')}
        {tabLink('history', 'History')}
      </nav>
      {tab === 'queue' ? (
        <Queue
          actor={actor}
          show={params.show === 'pending' || params.show === 'in-force' ? params.show : undefined}
          within={params.within === '24' ? 24 : params.within === '168' ? 168 : undefined}
        />
      ) : (
        <History actor={actor} params={params} />
      )}
    </>
  );
}

type QueueView = 'pending' | 'in-force';

/** Pending requests, then those in force; `show` narrows to one list (a dashboard figure opens exactly its set). */
async function Queue({
  actor,
  show,
  within,
}: {
  actor: Parameters<typeof listExceptionQueue>[0];
  show?: QueueView;
  within?: number;
}) {
  const { pending, active, pendingTotal, activeTotal } = await listExceptionQueue(actor, within);
  const inForceTitle = within ? `In force and ending within ${within === 24 ? '24 hours' : '7 days'}` : 'In force';
  return (
    <div className="flex flex-col gap-6">
      {show ? (
        <p className="text-muted-foreground">
          Showing only {show === 'pending' ? 'pending requests' : inForceTitle.toLowerCase()}.{' '}
          <Link href="/exceptions" className="text-primary underline underline-offset-2">
            Show the whole queue
          </Link>
        </p>
      ) : null}
      {show !== 'in-force' ? (
        <section aria-labelledby="pending-heading">
          <h2 id="pending-heading" className="mb-2 font-semibold">
            Pending decision (<ListCount total={pendingTotal} noun="request" />
            ), oldest first
            {pendingTotal > pending.length ? `: the first ${pending.length} shown` : ''}
          </h2>
          {pending.length === 0 ? (
            <EmptyState icon={ShieldAlert} title="Nothing waits for a decision">
              Owners request exceptions from an agent’s page; they appear here for PAM approvers.
            </EmptyState>
          ) : (
            <ExceptionTable rows={pending} caption="Pending exceptions" when={requestedAgo} />
          )}
        </section>
      ) : null}
      {show !== 'pending' ? (
        <section aria-labelledby="active-heading">
          <h2 id="active-heading" className="mb-2 font-semibold">
            {inForceTitle} (<ListCount total={activeTotal} noun="exception" />
            ), soonest to expire first
            {activeTotal > active.length ? `: the first ${active.length} shown` : ''}
          </h2>
          {active.length === 0 ? (
            <p className="text-muted-foreground">No exception is in force{within ? ' and ending that soon' : ''}.</p>
          ) : (
            <ExceptionTable rows={active} caption="Exceptions in force" when={(e) => <ExpiresIn at={e.expiresAt} />} />
          )}
        </section>
      ) : null}
    </div>
  );
}

async function History({ actor, params }: { actor: Parameters<typeof listExceptionHistory>[0]; params: Record<string, string | undefined> }) {
  const type = EXCEPTION_TYPES.find((t) => t === params.type);
  const status = HISTORY_STATUSES.find((s) => s === params.status);
  const page = Math.max(1, Number(params.page) || 1);
  const { rows, total } = await listExceptionHistory(actor, { type, status, agent: params.agent || undefined, page });
  return (
    <>
      <form action="/exceptions" className="mb-3 flex flex-wrap items-end gap-3">
        <input type="hidden" name="tab" value="history" />
        <FilterSelect label="Type" name="type" defaultValue={type ?? ''} options={optionsOf(EXCEPTION_TYPE)} />
        <FilterSelect label="Outcome" name="status" defaultValue={status ?? ''} options={HISTORY_STATUSES.map((v) => ({ value: v, label: v.toLowerCase() }))} />
        <FilterInput label="Agent slug" name="agent" defaultValue={params.agent ?? ''} />
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
        <span className="pb-2 text-muted-foreground">{total.toLocaleString()} in history</span>
      </form>
      {rows.length === 0 ? (
        <EmptyState icon={ShieldAlert} title="No exception in the history matches">
          Decided, withdrawn, expired and revoked exceptions stay here for good.
        </EmptyState>
      ) : (
        <ExceptionTable rows={rows} caption="Exception history" when={(e) => (e.endedAt ? <span>ended <RelativeTime value={e.endedAt} /></span> : requestedAgo(e))} />
      )}
      {total > HISTORY_PAGE_SIZE ? (
        <nav aria-label="Pagination" className="mt-3 flex justify-end gap-3 text-muted-foreground">
          Page {page} of {Math.ceil(total / HISTORY_PAGE_SIZE)}
          {page > 1 ? <Link className="text-primary underline" href={`/exceptions?${new URLSearchParams({ ...(params as Record<string, string>), page: String(page - 1) })}`}>Previous</Link> : null}
          {page * HISTORY_PAGE_SIZE < total ? <Link className="text-primary underline" href={`/exceptions?${new URLSearchParams({ ...(params as Record<string, string>), page: String(page + 1) })}`}>Next</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
