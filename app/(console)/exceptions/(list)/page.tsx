import { ShieldAlert } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { ListCount } from '@/components/data-table/list-count';
import { EmptyState } from '@/components/empty-state';
import { FilterInput, FilterSelect } from '@/components/forms/filter-fields';
import { PageHeader } from '@/components/page-header';
import { cn } from '@/components/ui/cn';
import { requirePageAccess } from '@/lib/auth';
import type { Actor } from '@/lib/authz';
import {
  ExceptionListQuerySchema,
  HISTORY_STATUSES,
  listExceptionHistory,
  listExceptionQueue,
  listQueueView,
  type ExceptionListQuery,
  type QueueView,
} from '@/lib/exceptions/queries';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { EXCEPTION_STATUS, EXCEPTION_TYPE, labelOf, optionsOf } from '@/lib/vocabulary';
import { ExceptionTable } from '../_components/exception-table';

export const metadata: Metadata = { title: 'Exceptions' };

export default async function ExceptionsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('agent.read', '/exceptions');
  const query = parseSearchParams(ExceptionListQuerySchema, await searchParams);
  const tabLink = (t: ExceptionListQuery['tab'], label: string) => (
    <Link
      href={t === 'queue' ? '/exceptions' : '/exceptions?tab=history'}
      aria-current={query.tab === t ? 'page' : undefined}
      className={cn(
        'border-b-2 px-3 py-2',
        query.tab === t ? 'border-primary font-medium' : 'border-transparent text-muted-foreground',
      )}
    >
      {label}
    </Link>
  );
  return (
    <>
      <PageHeader
        title="Exceptions"
        description={
          'Temporary, approved, time-bounded deviations from policy. Nobody decides their own request; ' +
          'break-glass on a critical agent needs two approvers.'
        }
      />
      <nav aria-label="Exception views" className="mb-4 flex border-b">
        {tabLink('queue', 'Queue')}
        {tabLink('history', 'History')}
      </nav>
      {query.tab === 'history' ? (
        <History actor={actor} query={query} />
      ) : query.show ? (
        <QueueList actor={actor} view={query.show} query={query} />
      ) : (
        <Queue actor={actor} within={query.within} />
      )}
    </>
  );
}

const inForceTitle = (within?: number) =>
  within ? `In force and ending within ${within === 24 ? '24 hours' : '7 days'}` : 'In force';

/** Pending requests, then those in force: the head of each (QUEUE_PREVIEW), with a link to the whole list. */
async function Queue({ actor, within }: { actor: Actor; within?: number }) {
  const { pending, active, pendingTotal, activeTotal } = await listExceptionQueue(actor, within);
  const more = (view: QueueView, shown: number, total: number) =>
    total > shown ? (
      <Link
        href={`/exceptions?show=${view}${view === 'in-force' && within ? `&within=${within}` : ''}`}
        className="mt-2 inline-block text-primary underline underline-offset-2"
      >
        All {total.toLocaleString('en')}, page by page
      </Link>
    ) : null;
  return (
    <div className="flex flex-col gap-6">
      <section aria-labelledby="pending-heading">
        <h2 id="pending-heading" className="mb-2 font-semibold">
          Pending decision ({pendingTotal.toLocaleString('en')}), oldest first
          {pendingTotal > pending.length ? `: the first ${pending.length} shown` : ''}
        </h2>
        {pending.length === 0 ? (
          <EmptyState icon={ShieldAlert} title="Nothing waits for a decision">
            Owners request exceptions from an agent’s page; they appear here for PAM approvers.
          </EmptyState>
        ) : (
          <ExceptionTable rows={pending} caption="Pending exceptions" when="requested" />
        )}
        {more('pending', pending.length, pendingTotal)}
      </section>
      <section aria-labelledby="active-heading">
        <h2 id="active-heading" className="mb-2 font-semibold">
          {inForceTitle(within)} ({activeTotal.toLocaleString('en')}), soonest to expire first
          {activeTotal > active.length ? `: the first ${active.length} shown` : ''}
        </h2>
        {active.length === 0 ? (
          <p className="text-muted-foreground">No exception is in force{within ? ' and ending that soon' : ''}.</p>
        ) : (
          <ExceptionTable rows={active} caption="Exceptions in force" when="expires" />
        )}
        {more('in-force', active.length, activeTotal)}
      </section>
    </div>
  );
}

/** One queue list on its own, paged: exactly the set a dashboard figure counts. */
async function QueueList({ actor, view, query }: { actor: Actor; view: QueueView; query: ExceptionListQuery }) {
  const { rows, total, next, prev } = await listQueueView(actor, view, query);
  const title =
    view === 'pending' ? 'Pending decision, oldest first' : `${inForceTitle(query.within)}, soonest to expire first`;
  return (
    <section aria-labelledby="queue-list-heading" className="flex flex-col gap-2">
      <h2 id="queue-list-heading" className="font-semibold">
        {title}
      </h2>
      <p className="text-muted-foreground">
        <ListCount total={total} noun={view === 'pending' ? 'request' : 'exception'} />.{' '}
        <Link href="/exceptions" className="text-primary underline underline-offset-2">
          Show the whole queue
        </Link>
      </p>
      {rows.length === 0 ? (
        <EmptyState
          icon={ShieldAlert}
          title={view === 'pending' ? 'Nothing waits for a decision' : 'No exception is in force'}
        >
          {view === 'pending'
            ? 'Owners request exceptions from an agent’s page; they appear here for PAM approvers.'
            : 'Approved exceptions appear here until their window ends.'}
        </EmptyState>
      ) : (
        <>
          <ExceptionTable
            rows={rows}
            caption={view === 'pending' ? 'Pending exceptions' : 'Exceptions in force'}
            when={view === 'pending' ? 'requested' : 'expires'}
          />
          <DataTablePagination shown={rows.length} size={query.size} next={next} prev={prev} />
        </>
      )}
    </section>
  );
}

/** Decided, withdrawn, expired and revoked exceptions, newest change first, with every decision and reason. */
async function History({ actor, query }: { actor: Actor; query: ExceptionListQuery }) {
  const { rows, total, capped, next, prev } = await listExceptionHistory(actor, query);
  return (
    <>
      <form action="/exceptions" className="mb-3 flex flex-wrap items-end gap-3" aria-label="Filter the history">
        <input type="hidden" name="tab" value="history" />
        <FilterSelect label="Type" name="type" defaultValue={query.type ?? ''} options={optionsOf(EXCEPTION_TYPE)} />
        <FilterSelect
          label="Outcome"
          name="status"
          defaultValue={query.status ?? ''}
          options={HISTORY_STATUSES.map((v) => ({ value: v, label: labelOf(EXCEPTION_STATUS, v) }))}
        />
        <FilterInput label="Agent slug" name="agent" defaultValue={query.agent ?? ''} />
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
      </form>
      {rows.length === 0 ? (
        <EmptyState icon={ShieldAlert} title="No exception in the history matches">
          Decided, withdrawn, expired and revoked exceptions stay here for good.
        </EmptyState>
      ) : (
        <>
          <ExceptionTable rows={rows} caption="Exception history" when="ended" />
          <DataTablePagination
            shown={rows.length}
            size={query.size}
            total={total}
            capped={capped}
            next={next}
            prev={prev}
            noun="exception"
          />
        </>
      )}
    </>
  );
}
