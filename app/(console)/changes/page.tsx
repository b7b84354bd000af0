import { GitPullRequest } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { ListCount } from '@/components/data-table/list-count';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { cn } from '@/components/ui/cn';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { ChangeListQuerySchema, listChangeRequests } from '@/lib/change-requests/queries';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { ChangesTable } from './_components/changes-table';

export const metadata: Metadata = { title: 'Changes' };

/** The changes that loosen a control and wait for a second person, and those decided. */
export default async function ChangesPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('change.read', '/changes');
  const query = parseSearchParams(ChangeListQuerySchema, await searchParams);
  const { rows, total, next, prev } = await listChangeRequests(actor, query);
  // A redaction is an auditor's decision; every other change a security lead's.
  const canDecide = (kind: string) => can(actor, kind === 'AUDIT_REDACTION' ? 'audit.redact.decide' : 'change.decide');
  const tab = (view: typeof query.view, label: string) => (
    <Link
      href={`/changes?view=${view}`}
      aria-current={query.view === view ? 'page' : undefined}
      className={cn(
        'border-b-2 px-3 py-2',
        query.view === view ? 'border-primary font-medium' : 'border-transparent text-muted-foreground',
      )}
    >
      {label}
    </Link>
  );
  return (
    <>
      <PageHeader
        title="Changes"
        description={
          'Changes that loosen a control — a lower tier, a longer cadence, production access, a privileged role, ' +
          'a looser policy — wait here for a security lead other than the person who asked, ' +
          'and independent of the agent. A redaction of the timeline waits for an auditor.'
        }
      />
      <nav aria-label="Change views" className="mb-4 flex border-b">
        {tab('pending', 'Waiting')}
        {tab('decided', 'Decided')}
      </nav>
      <p className="mb-2 text-muted-foreground">
        <ListCount total={total} noun="change" />
      </p>
      {rows.length === 0 ? (
        <EmptyState
          icon={GitPullRequest}
          title={query.view === 'pending' ? 'Nothing waits for a decision' : 'No decided change yet'}
        >
          Owners and leads asking for a looser control see their request here until another security lead decides it.
        </EmptyState>
      ) : (
        <>
          <ChangesTable
            rows={rows.map((r) => ({ ...r, canDecide: canDecide(r.kind), mine: r.requestedBy.id === actor.id }))}
          />
          <DataTablePagination shown={rows.length} size={query.size} next={next} prev={prev} />
        </>
      )}
    </>
  );
}
