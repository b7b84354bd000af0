import { Bot, Plus } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { AccessDenied } from '@/components/access-denied';
import { DataTablePagination } from '@/components/data-table/data-table-pagination';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { buttonVariants } from '@/components/ui/button';
import { listAgents } from '@/lib/agents/list';
import { listActivePeople } from '@/lib/agents/queries';
import { parseAgentListQuery } from '@/lib/agents/schema';
import { getPageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { AgentsTable } from './_components/agents-table';
import { AgentsToolbar } from './_components/agents-toolbar';

export const metadata: Metadata = { title: 'Agents' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AgentsPage({ searchParams }: Props) {
  const { actor, denied } = await getPageAccess('agent.read', '/agents');
  if (denied) return <AccessDenied reason={denied} />;
  const query = parseAgentListQuery(await searchParams);
  const [{ rows, total, capped, next, prev }, people] = await Promise.all([listAgents(actor, query), listActivePeople(actor)]);
  const filtered = Boolean(query.q || query.status || query.riskTier || query.environment || query.kind || query.owner || query.planeUnassigned || query.orphaned || query.reviewOverdue);
  return (
    <>
      <PageHeader
        title="Agents"
        description={`${capped ? 'More than ' : ''}${total.toLocaleString()} ${total === 1 && !capped ? 'agent' : 'agents'}${filtered ? ' match these filters' : ' registered'}.`}
        actions={
          can(actor, 'agent.write') ? (
            <Link href="/agents/new" className={buttonVariants()}>
              <Plus aria-hidden /> Register agent
            </Link>
          ) : null
        }
      />
      <AgentsToolbar people={people} />
      {rows.length === 0 ? (
        <EmptyState icon={Bot} title={filtered ? 'No agent matches these filters' : 'No agents registered yet'}>
          {filtered ? 'Try a broader search, or clear the filters.' : 'Register the first agent, or run npm run db:seed for demo data.'}
        </EmptyState>
      ) : (
        <>
          <AgentsTable rows={rows} sort={query.sort} dir={query.dir} />
          <DataTablePagination shown={rows.length} size={query.size} total={total} capped={capped} next={next} prev={prev} />
        </>
      )}
    </>
  );
}
