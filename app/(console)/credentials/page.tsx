import { KeyRound } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { ListCount } from '@/components/data-table/list-count';
import { EmptyState } from '@/components/empty-state';
import { FilterSelect } from '@/components/forms/filter-fields';
import { PageHeader } from '@/components/page-header';
import { requirePageAccess } from '@/lib/auth';
import { CredentialListQuerySchema, listCredentials } from '@/lib/credentials/queries';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { CREDENTIAL_STORAGE, ENVIRONMENT, ISSUANCE, optionsOf } from '@/lib/vocabulary';
import { CredentialsTable } from './_components/credentials-table';

export const metadata: Metadata = { title: 'Credentials' };

export default async function CredentialsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('agent.read', '/credentials');
  const query = parseSearchParams(CredentialListQuerySchema, await searchParams);
  const { rows, total, capped, next, prev } = await listCredentials(actor, query);
  const filtered = Boolean(query.storage || query.issuance || query.environment || query.state);
  return (
    <>
      <PageHeader
        title="Credentials"
        description={
          <>
            <ListCount total={total} capped={capped} noun="custody record" />
            {filtered ? ' match these filters' : ''}: where each credential lives and how it is issued. Custodian never
            holds a secret value.
          </>
        }
      />
      <form action="/credentials" className="mb-3 flex flex-wrap items-end gap-3" aria-label="Filter credentials">
        <FilterSelect
          label="Stored in"
          name="storage"
          defaultValue={query.storage ?? ''}
          options={optionsOf(CREDENTIAL_STORAGE)}
        />
        <FilterSelect
          label="Issuance"
          name="issuance"
          defaultValue={query.issuance ?? ''}
          options={optionsOf(ISSUANCE)}
        />
        <FilterSelect
          label="Environment"
          name="environment"
          defaultValue={query.environment ?? ''}
          options={optionsOf(ENVIRONMENT)}
        />
        <FilterSelect
          label="State"
          name="state"
          defaultValue={query.state ?? ''}
          options={[
            { value: 'active', label: 'In use' },
            { value: 'revoked', label: 'Revoked' },
          ]}
        />
        <button type="submit" className="h-9 rounded-md border px-3 hover:bg-accent">
          Apply
        </button>
        {filtered ? (
          <Link href="/credentials" className="pb-2 text-primary underline underline-offset-2">
            Clear filters
          </Link>
        ) : null}
      </form>
      {rows.length === 0 ? (
        <EmptyState
          icon={KeyRound}
          title={filtered ? 'No credential matches these filters' : 'No credentials recorded yet'}
        >
          {filtered ? 'Try a broader filter, or clear them.' : 'Owners record credentials from their agent’s page.'}
        </EmptyState>
      ) : (
        <>
          <CredentialsTable rows={rows} />
          <DataTablePagination shown={rows.length} size={query.size} next={next} prev={prev} />
        </>
      )}
    </>
  );
}
