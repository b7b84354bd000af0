import { KeyRound } from 'lucide-react';
import type { Metadata } from 'next';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { Section } from '@/components/section';
import { requirePageAccess } from '@/lib/auth';
import { parseSearchParams, type SearchParams } from '@/lib/http/search-params';
import { getPolicy } from '@/lib/settings';
import { listTokens, TokenListQuerySchema } from '@/lib/tokens/commands';
import { CreateTokenForm } from './_components/token-controls';
import { TokensTable } from './_components/tokens-table';

export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePageAccess('token.manage', '/tokens');
  const query = parseSearchParams(TokenListQuerySchema, await searchParams);
  const [{ rows: tokens, total, next, prev }, policy] = await Promise.all([listTokens(actor, query), getPolicy()]);
  return (
    <div className="flex flex-col gap-4">
      <PageHeader
        title="API tokens"
        description={
          'Secrets brokers, CI runners and agent runtimes report custody events with these; integrations read ' +
          'the registry and the timeline. Custodian stores only a hash of each token.'
        }
        actions={
          <a href="/api/v1/openapi.json" className="text-primary underline underline-offset-2">
            OpenAPI document
          </a>
        }
      />
      <Section title="Create a token" icon={KeyRound} id="create">
        <CreateTokenForm maxDays={policy.apiTokens.maxDays} />
      </Section>
      {tokens.length === 0 ? (
        <EmptyState icon={KeyRound} title="No API token yet">
          <p>
            Create one for each broker or runner, with only the scopes it needs; the README shows how to send a first
            event.
          </p>
        </EmptyState>
      ) : (
        <>
          <TokensTable rows={tokens} />
          <DataTablePagination
            shown={tokens.length}
            size={query.size}
            total={total}
            next={next}
            prev={prev}
            noun="token"
          />
        </>
      )}
    </div>
  );
}
