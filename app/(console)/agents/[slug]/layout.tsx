import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { PersonCell } from '@/components/person-cell';
import { Badge } from '@/components/ui/badge';
import { AgentStatusBadge, RiskTierBadge } from '@/components/vocabulary';
import { getAgentSummary } from '@/lib/agents/queries';
import { requirePageAccess } from '@/lib/auth';
import { can, canOnAgent } from '@/lib/authz';
import { localDay } from '@/lib/reviews/cadence';
import { getPolicy } from '@/lib/settings';
import { AGENT_KIND, ENVIRONMENT, labelOf } from '@/lib/vocabulary';
import { SectionIndex, type AgentSectionId } from './_components/section-index';

type Props = { children: ReactNode; params: Promise<{ slug: string }> };

/**
 * The agent's header. The access check and the record lookup run here, before
 * any Suspense boundary, so a missing agent is a 404 and a forbidden one a 403.
 */
export default async function AgentLayout({ children, params }: Props) {
  const { slug } = await params;
  const actor = await requirePageAccess('agent.read', `/agents/${slug}`);
  const agent = await getAgentSummary(actor, slug);
  if (!agent) notFound();
  const { reviewTiming } = await getPolicy();
  const canWrite = canOnAgent(actor, 'agent.write', agent.owner?.id ?? null);
  const hidden: AgentSectionId[] = [
    ...(canWrite ? [] : (['lifecycle', 'edit'] as const)),
    ...(can(actor, 'findings.read') ? [] : (['findings'] as const)),
  ];
  return (
    <div className="flex flex-col gap-4">
      <div>
        <div className="text-xs text-muted-foreground">
          <Link href="/agents" className="underline underline-offset-2">
            Agents
          </Link>{' '}
          / <span className="font-mono">{agent.slug}</span>
        </div>
        <h1 className="mt-1 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight">
          {agent.name} <AgentStatusBadge status={agent.status} /> <RiskTierBadge tier={agent.riskTier} />
        </h1>
        {agent.description ? <p className="mt-1 max-w-3xl text-muted-foreground">{agent.description}</p> : null}
      </div>
      <dl className="grid gap-3 rounded-lg border bg-card p-4 sm:grid-cols-2 lg:grid-cols-5">
        <div>
          <dt className="text-xs text-muted-foreground">Accountable owner</dt>
          <dd>
            <PersonCell person={agent.owner} missing="No owner" />
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Workload identity</dt>
          <dd className="font-mono text-xs break-all">{agent.workloadIdentity ?? 'None'}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Environments</dt>
          <dd className="flex flex-wrap gap-1">
            {agent.environments.map((e) => (
              <Badge key={e}>{labelOf(ENVIRONMENT, e)}</Badge>
            ))}
          </dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Kind</dt>
          <dd>{labelOf(AGENT_KIND, agent.kind)}</dd>
        </div>
        <div>
          <dt className="text-xs text-muted-foreground">Next review due</dt>
          <dd data-testid="next-review-due">
            {agent.openReview ? (
              <Link href={`/reviews/${agent.openReview.id}`} className="text-primary underline underline-offset-2">
                open, due {localDay(agent.openReview.dueAt, reviewTiming.timeZone)}
              </Link>
            ) : agent.nextReviewDue ? (
              <time dateTime={agent.nextReviewDue.toISOString()}>
                {localDay(agent.nextReviewDue, reviewTiming.timeZone)}
              </time>
            ) : (
              'Not scheduled'
            )}
          </dd>
        </div>
      </dl>
      <SectionIndex hidden={hidden} />
      {children}
    </div>
  );
}
