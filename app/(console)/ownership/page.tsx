import { UsersRound } from 'lucide-react';
import type { Metadata } from 'next';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { PersonPicker } from '@/components/people/person-picker';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { listHoldings, listOwnershipMatrix, OwnershipQuerySchema } from '@/lib/ownership/queries';
import { getPeople } from '@/lib/users/search';
import { BulkReassign } from './_components/bulk-reassign';
import { OwnershipTable } from './_components/ownership-table';

export const metadata: Metadata = { title: 'Ownership' };

type Props = { searchParams: Promise<SearchParams> };

export default async function OwnershipPage({ searchParams }: Props) {
  const actor = await requirePageAccess('agent.read', '/ownership');
  const filter = parseSearchParams(OwnershipQuerySchema, await searchParams);
  const canAssign = can(actor, 'ownership.assign');
  const [{ rows, total, capped, next, prev }, named, holdings] = await Promise.all([
    listOwnershipMatrix(actor, filter),
    getPeople(actor, [filter.person, filter.from]),
    canAssign && filter.from ? listHoldings(actor, filter.from) : Promise.resolve([]),
  ]);
  return (
    <>
      <PageHeader
        title="Ownership"
        description={
          'Every agent in service, its accountable owner and who owns each control plane: IAM (identity ' +
          'lifecycle), PAM (privileged secret handling) and platform security (runtime enforcement).'
        }
      />
      {canAssign ? (
        <Card className="mb-4">
          <CardHeader>
            <CardTitle>Bulk reassignment</CardTitle>
          </CardHeader>
          <CardContent>
            <BulkReassign from={named.find((p) => p.id === filter.from) ?? null} holdings={holdings} />
          </CardContent>
        </Card>
      ) : null}
      <form className="mb-3 flex flex-wrap items-end gap-3" action="/ownership">
        <PersonPicker
          name="person"
          label="Person (owner or control owner)"
          active="any"
          placeholder="Anyone"
          defaultValue={named.find((p) => p.id === filter.person) ?? null}
        />
        <label className="flex items-center gap-1.5 pb-2">
          <input type="checkbox" name="gaps" value="1" defaultChecked={filter.gaps} /> Only gaps and inactive owners
        </label>
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
      </form>
      {rows.length === 0 ? (
        <EmptyState
          icon={UsersRound}
          title={filter.person || filter.gaps ? 'Nothing matches these filters' : 'No agents in service'}
        >
          {filter.person || filter.gaps
            ? 'No gaps here: every agent shown has an active owner on every plane.'
            : 'Register an agent to assign its owners.'}
        </EmptyState>
      ) : (
        <>
          <OwnershipTable rows={rows} />
          <DataTablePagination
            shown={rows.length}
            size={filter.size}
            total={total}
            capped={capped}
            next={next}
            prev={prev}
            noun="agent"
          />
        </>
      )}
    </>
  );
}
