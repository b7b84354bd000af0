import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { DueBadge, TriggerBadges } from '@/components/reviews/review-badges';
import { SectionSkeleton } from '@/components/section';
import { RelativeTime } from '@/components/ui/relative-time';
import { AgentStatusBadge, OutcomeBadge, RiskTierBadge } from '@/components/vocabulary';
import { requirePageAccess } from '@/lib/auth';
import { can } from '@/lib/authz';
import { daysOverdue } from '@/lib/reviews/cadence';
import { getReviewDetail } from '@/lib/reviews/queries';
import { AgentStateSections } from './_components/sections/agent-state';
import { ChangesSection } from './_components/sections/changes';
import { CompleteSection } from './_components/sections/complete';
import { DecisionSection } from './_components/sections/decision';
import { ReviewerSection } from './_components/sections/reviewer';

export const metadata: Metadata = { title: 'Review' };

type Props = { params: Promise<{ id: string }> };

/** A review: a short header, then one component per section; what changed streams in on its own. */
export default async function ReviewPage({ params }: Props) {
  const { id } = await params;
  const actor = await requirePageAccess('agent.read', `/reviews/${id}`);
  const detail = await getReviewDetail(actor, id);
  if (!detail) notFound();
  const { review, agent, lastReviewedAt, timeZone } = detail;
  const open = !review.completedAt;
  const now = new Date();

  return (
    <div className="flex flex-col gap-4">
      <div>
        <div className="text-xs text-muted-foreground">
          <Link href="/reviews" className="underline underline-offset-2">
            Reviews
          </Link>{' '}
          / <span className="font-mono">{agent.slug}</span>
        </div>
        <h1 className="mt-1 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight">
          Review of{' '}
          <Link href={`/agents/${agent.slug}`} className="text-primary underline-offset-2 hover:underline">
            {agent.name}
          </Link>
          <AgentStatusBadge status={agent.status} /> <RiskTierBadge tier={agent.riskTier} />
        </h1>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-muted-foreground">
          <TriggerBadges triggers={review.triggers} />
          {open ? (
            <DueBadge dueAt={review.dueAt} daysOverdue={daysOverdue(review.dueAt, now, timeZone)} timeZone={timeZone} />
          ) : review.outcome ? (
            <OutcomeBadge outcome={review.outcome} />
          ) : null}
          {review.campaign ? (
            <span>
              in campaign{' '}
              <Link
                href={`/reviews/campaigns/${review.campaign.id}`}
                className="text-primary underline underline-offset-2"
              >
                {review.campaign.name}
              </Link>
            </span>
          ) : null}
          <span>· last reviewed {lastReviewedAt ? <RelativeTime value={lastReviewedAt} /> : 'never'}</span>
        </div>
      </div>

      <ReviewerSection detail={detail} canAssign={can(actor, 'ownership.assign')} />
      {!open ? <DecisionSection detail={detail} /> : null}
      <Suspense fallback={<SectionSkeleton title="What changed since the last review" />}>
        <ChangesSection actor={actor} detail={detail} />
      </Suspense>
      <AgentStateSections detail={detail} />
      {open ? <CompleteSection detail={detail} /> : null}
    </div>
  );
}
