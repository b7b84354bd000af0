import { Contact } from 'lucide-react';
import type { Metadata } from 'next';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { listPeople, PeopleListQuerySchema } from '@/lib/users/queries';
import { PeopleTable } from './_components/people-table';

export const metadata: Metadata = { title: 'People' };

export default async function PeoplePage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('user.read', '/people');
  const query = parseSearchParams(PeopleListQuerySchema, await searchParams);
  const { rows: people, total, next, prev } = await listPeople(actor, query);
  const canManage = can(actor, 'user.manage');
  return (
    <>
      <PageHeader title="People" description="Everyone who can sign in, their roles, and what they own or control." />
      {people.length === 0 ? (
        <EmptyState icon={Contact} title="No people yet">
          People appear here when they first sign in.
        </EmptyState>
      ) : (
        <>
          <PeopleTable rows={people} canManage={canManage} />
          <DataTablePagination
            shown={people.length}
            size={query.size}
            total={total}
            next={next}
            prev={prev}
            noun="person"
            plural="people"
          />
        </>
      )}
    </>
  );
}
