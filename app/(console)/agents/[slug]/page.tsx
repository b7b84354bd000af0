import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { SectionSkeleton } from '@/components/section';
import { getAgentSummary } from '@/lib/agents/queries';
import { requirePageAccess } from '@/lib/auth';
import { can, canOnAgent } from '@/lib/authz';
import { CredentialsSection } from './_components/sections/credentials';
import { DelegationSection } from './_components/sections/delegation';
import { EditSection } from './_components/sections/edit';
import { EscalationSection } from './_components/sections/escalation';
import { ExceptionsSection } from './_components/sections/exceptions';
import { FindingsSection } from './_components/sections/findings';
import { IssuanceSection } from './_components/sections/issuance';
import { LifecycleSection } from './_components/sections/lifecycle';
import { OwnersSection } from './_components/sections/owners';
import { PurposesSection } from './_components/sections/purposes';
import { ReviewsSection } from './_components/sections/reviews';
import { TimelineSection } from './_components/sections/timeline';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).slug };
}

/** One agent: each section loads its own data and streams in on its own. */
export default async function AgentPage({ params }: Props) {
  const { slug } = await params;
  const actor = await requirePageAccess('agent.read', `/agents/${slug}`);
  // The layout looked it up first (cached for this request); layouts and pages render side by side, so the page
  // answers a missing agent itself too.
  const agent = await getAgentSummary(actor, slug);
  if (!agent) notFound();
  const canWrite = canOnAgent(actor, 'agent.write', agent.owner?.id ?? null);
  const section = (title: string, node: React.ReactNode) => (
    <Suspense fallback={<SectionSkeleton title={title} />}>{node}</Suspense>
  );
  return (
    <>
      <OwnersSection actor={actor} agent={agent} />
      {section('Escalation', <EscalationSection actor={actor} agent={agent} />)}
      {canWrite ? section('Lifecycle', <LifecycleSection actor={actor} agent={agent} />) : null}
      {can(actor, 'findings.read') ? section('Findings', <FindingsSection actor={actor} agent={agent} />) : null}
      {section('Approved purposes', <PurposesSection actor={actor} agent={agent} />)}
      {section('Credentials', <CredentialsSection actor={actor} agent={agent} />)}
      {section('Issuance gate', <IssuanceSection actor={actor} agent={agent} />)}
      {section('Exceptions', <ExceptionsSection actor={actor} agent={agent} />)}
      {section('Delegation', <DelegationSection actor={actor} agent={agent} />)}
      {section('Reviews', <ReviewsSection actor={actor} agent={agent} />)}
      {section('Timeline', <TimelineSection actor={actor} agent={agent} />)}
      {canWrite ? <EditSection agent={agent} /> : null}
    </>
  );
}
