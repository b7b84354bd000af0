import { Bot, FileSearch, Plus, Upload } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { ListCount } from '@/components/data-table/list-count';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { buttonVariants } from '@/components/ui/button';
import { listAgents } from '@/lib/agents/list';
import { parseAgentListQuery } from '@/lib/agents/schema';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { getPerson } from '@/lib/users/search';
import { AgentsTable } from '../_components/agents-table';
import { AgentsToolbar } from '../_components/agents-toolbar';

export const metadata: Metadata = { title: 'Agents' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AgentsPage({ searchParams }: Props) {
  const actor = await requirePageAccess('agent.read', '/agents');
  const query = parseAgentListQuery(await searchParams);
  const [{ rows, total, capped, next, prev }, owner] = await Promise.all([
    listAgents(actor, query),
    getPerson(actor, query.owner),
  ]);
  const filtered = Boolean(
    query.q ||
    query.status ||
    query.riskTier ||
    query.environment ||
    query.kind ||
    query.owner ||
    query.inService ||
    query.ownershipIncomplete ||
    query.planeUnassigned ||
    query.orphaned ||
    query.reviewOverdue ||
    query.ready,
  );
  return (
    <>
      <PageHeader
        title="Agents"
        description={
          <>
            <ListCount total={total} capped={capped} noun="agent" />
            {filtered ? ' match these filters.' : ' registered.'}
          </>
        }
        actions={
          can(actor, 'agent.write') ? (
            <div className="flex gap-2">
              {can(actor, 'discovery.import') ? (
                <Link href="/agents/discover" className={buttonVariants({ variant: 'outline' })}>
                  <FileSearch aria-hidden /> Discover
                </Link>
              ) : null}
              <Link href="/agents/import" className={buttonVariants({ variant: 'outline' })}>
                <Upload aria-hidden /> Import
              </Link>
              <Link href="/agents/new" className={buttonVariants()}>
                <Plus aria-hidden /> Register agent
              </Link>
            </div>
          ) : null
        }
      />
      <AgentsToolbar owner={owner} />
      {rows.length === 0 ? (
        <EmptyState icon={Bot} title={filtered ? 'No agent matches these filters' : 'No agents registered yet'}>
          {filtered
            ? 'Try a broader search, or clear the filters.'
            : 'Register the first agent, import a CSV or YAML file of them, or run npm run db:seed for demo data.'}
        </EmptyState>
      ) : (
        <>
          <AgentsTable rows={rows} sort={query.sort} dir={query.dir} />
          <DataTablePagination shown={rows.length} size={query.size} next={next} prev={prev} />
        </>
      )}
    </>
  );
}
