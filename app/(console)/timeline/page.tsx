import { Archive, Download, History } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { EmptyState } from '@/components/empty-state';
import { FilterInput, FilterSelect } from '@/components/forms/filter-fields';
import { PageHeader } from '@/components/page-header';
import { PersonPicker } from '@/components/people/person-picker';
import { ReplicaNotice } from '@/components/system/replica-notice';
import { EventList } from '@/components/timeline/event-list';
import { IntegrityBadge } from '@/components/timeline/integrity-badge';
import { listTimeline, parseTimelineQuery, type TimelineQuery } from '@/lib/audit';
import { ACTION_GROUP_NAMES, GROUP_LABELS } from '@/lib/audit/groups';
import { latestVerification } from '@/lib/audit/integrity';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { getCredentialName } from '@/lib/credentials/queries';
import { getPerson } from '@/lib/users/search';
import { IntegrityControls } from './_components/integrity-controls';
import { eventDetailsAction } from './actions';

export const metadata: Metadata = { title: 'Timeline' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

const FILTER_KEYS = ['agent', 'credential', 'actor', 'group', 'from', 'to'] as const;

function filterParams(query: TimelineQuery, extra: Record<string, string> = {}) {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) if (query[key]) params.set(key, String(query[key]));
  if (query.size !== 50) params.set('size', String(query.size));
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  return params;
}

export default async function TimelinePage({ searchParams }: Props) {
  const actor = await requirePageAccess('audit.read', '/timeline');
  const query = parseTimelineQuery(await searchParams);
  const [{ rows, next, prev }, integrity, person, credential] = await Promise.all([
    listTimeline(actor, query),
    latestVerification(actor),
    getPerson(actor, query.actor),
    getCredentialName(actor, query.credential),
  ]);
  const filtered = FILTER_KEYS.some((k) => query[k]);
  const exportHref = (format: string) => `/timeline/export?${filterParams(query, { format })}`;
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="Timeline"
        description={
          'The custody timeline, newest first: append-only and hash-chained. Each event records who was ' +
          'accountable for the agent when it happened.'
        }
      />
      <ReplicaNotice />
      <div className="flex flex-wrap items-start justify-between gap-4 rounded-lg border bg-card p-4">
        <IntegrityBadge integrity={integrity} />
        {can(actor, 'audit.verify') ? <IntegrityControls canSign={can(actor, 'audit.checkpoint')} /> : null}
      </div>
      <form action="/timeline" className="flex flex-wrap items-end gap-3" aria-label="Filter the timeline">
        <FilterInput label="Agent (slug)" name="agent" defaultValue={query.agent ?? ''} placeholder="e.g. deploy-bot" />
        <FilterSelect
          label="Action"
          name="group"
          defaultValue={query.group ?? ''}
          options={ACTION_GROUP_NAMES.map((g) => ({ value: g, label: GROUP_LABELS[g] }))}
        />
        <PersonPicker name="actor" label="By" active="any" placeholder="Anyone" defaultValue={person} />
        <FilterInput label="From" type="date" name="from" defaultValue={query.from ?? ''} />
        <FilterInput label="To" type="date" name="to" defaultValue={query.to ?? ''} />
        {query.credential ? <input type="hidden" name="credential" value={query.credential} /> : null}
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
        {filtered ? (
          <Link href="/timeline" className="pb-2 text-primary underline underline-offset-2">
            Clear filters
          </Link>
        ) : null}
        {can(actor, 'audit.export') ? (
          <span className="ml-auto flex gap-3 pb-2">
            <a
              href={exportHref('csv')}
              className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
            >
              <Download aria-hidden className="size-4" /> CSV
            </a>
            <a
              href={exportHref('ndjson')}
              className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
            >
              <Download aria-hidden className="size-4" /> NDJSON
            </a>
            <a
              href={`/timeline/pack?${filterParams(query)}`}
              className="inline-flex items-center gap-1 text-primary underline underline-offset-2"
            >
              <Archive aria-hidden className="size-4" /> Evidence pack
            </a>
          </span>
        ) : null}
      </form>
      {query.credential ? (
        <p className="text-muted-foreground">Only events about the credential {credential ?? query.credential}.</p>
      ) : null}
      {rows.length === 0 ? (
        <EmptyState icon={History} title={filtered ? 'No event matches these filters' : 'No events yet'}>
          {filtered
            ? 'Widen the time range or clear a filter.'
            : 'Events appear here as agents are registered and credentials are issued, used, rotated and revoked.'}
        </EmptyState>
      ) : (
        <EventList
          events={rows}
          readerId={actor.id}
          loadDetails={eventDetailsAction}
          label="Custody events, newest first"
          linkFields
        />
      )}
      {rows.length > 0 ? (
        <DataTablePagination
          shown={rows.length}
          size={query.size}
          next={next}
          prev={prev}
          nextParam="before"
          prevParam="newer"
        />
      ) : null}
      {rows.length > 0 && !next ? <p className="text-muted-foreground">The beginning of the timeline.</p> : null}
    </div>
  );
}
