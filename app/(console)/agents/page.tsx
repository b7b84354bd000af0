import { Bot } from 'lucide-react';
import type { Metadata } from 'next';
import Link from 'next/link';
import { AccessDenied } from '@/components/access-denied';
import { AgentStatusBadge, RiskTierBadge } from '@/components/agents/status-badges';
import { EmptyState } from '@/components/empty-state';
import { PageHeader } from '@/components/page-header';
import { RelativeTime } from '@/components/ui/relative-time';
import { Table, TBody, TD, TH, THead, TR } from '@/components/ui/table';
import { AGENTS_PAGE_SIZE, listAgents } from '@/lib/agents/queries';
import { AgentListQuerySchema } from '@/lib/agents/schema';
import { getPageAccess } from '@/lib/auth';

export const metadata: Metadata = { title: 'Agents' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AgentsPage({ searchParams }: Props) {
  const { actor, denied } = await getPageAccess('agent.read', '/agents');
  if (denied) return <AccessDenied reason={denied} />;
  const params = await searchParams;
  const query = AgentListQuerySchema.parse(Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v])));
  const { rows, total } = await listAgents(actor, query);
  const pages = Math.max(1, Math.ceil(total / AGENTS_PAGE_SIZE));
  const active = [
    query.q && `matching “${query.q}”`,
    query.status && `status ${query.status.toLowerCase()}`,
    query.riskTier && `${query.riskTier.toLowerCase()} risk`,
    query.orphaned && 'orphaned',
    query.reviewOverdue && 'review overdue',
  ].filter(Boolean);
  const pageHref = (page: number) => {
    const next = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
    next.set('page', String(page));
    return `/agents?${next.toString()}`;
  };

  return (
    <>
      <PageHeader
        title="Agents"
        description={
          <>
            {total} {total === 1 ? 'agent' : 'agents'}
            {active.length > 0 ? ` ${active.join(', ')}` : ' registered'}.{' '}
            {active.length > 0 ? (
              <Link href="/agents" className="text-primary underline underline-offset-2">
                Clear filters
              </Link>
            ) : null}
          </>
        }
      />
      {rows.length === 0 ? (
        <EmptyState icon={Bot} title={active.length > 0 ? 'No agent matches these filters' : 'No agents registered yet'}>
          {active.length > 0 ? 'Try a broader search or clear the filters.' : 'Run npm run db:seed for demo data.'}
        </EmptyState>
      ) : (
        <Table>
          <THead>
            <tr>
              <TH>Agent</TH>
              <TH>Status</TH>
              <TH>Risk tier</TH>
              <TH>Accountable owner</TH>
              <TH>Next review</TH>
            </tr>
          </THead>
          <TBody>
            {rows.map((agent) => (
              <TR key={agent.id}>
                <TD>
                  <div className="font-medium">{agent.name}</div>
                  <div className="font-mono text-xs text-muted-foreground">{agent.slug}</div>
                </TD>
                <TD>
                  <AgentStatusBadge status={agent.status} />
                </TD>
                <TD>
                  <RiskTierBadge tier={agent.riskTier} />
                </TD>
                <TD>
                  {agent.owner ? (
                    <span className={agent.owner.active ? undefined : 'text-danger'}>
                      {agent.owner.name}
                      {agent.owner.active ? '' : ' (inactive)'}
                    </span>
                  ) : (
                    <span className="text-danger">No owner</span>
                  )}
                </TD>
                <TD>{agent.nextReviewDue ? <RelativeTime value={agent.nextReviewDue} /> : '—'}</TD>
              </TR>
            ))}
          </TBody>
        </Table>
      )}
      {pages > 1 ? (
        <nav aria-label="Pagination" className="mt-3 flex items-center justify-end gap-3">
          <span className="text-muted-foreground">
            Page {query.page} of {pages}
          </span>
          {query.page > 1 ? <Link href={pageHref(query.page - 1)} className="text-primary underline underline-offset-2">Previous</Link> : null}
          {query.page < pages ? <Link href={pageHref(query.page + 1)} className="text-primary underline underline-offset-2">Next</Link> : null}
        </nav>
      ) : null}
    </>
  );
}
