import { CalendarCheck } from 'lucide-react';
import Link from 'next/link';
import { TriggerBadges } from '@/components/reviews/review-badges';
import { Section } from '@/components/section';
import { RelativeTime } from '@/components/ui/relative-time';
import { OutcomeBadge } from '@/components/vocabulary';
import type { AgentSummary } from '@/lib/agents/queries';
import type { Actor } from '@/lib/authz';
import { listAgentReviews } from '@/lib/reviews/queries';

/** The agent's lifecycle reviews, newest first. */
export async function ReviewsSection({ actor, agent }: { actor: Actor; agent: AgentSummary }) {
  const reviews = await listAgentReviews(actor, agent.id);
  return (
    <Section title="Reviews" icon={CalendarCheck} id="reviews">
      {reviews.length === 0 ? (
        <p className="text-muted-foreground">
          No reviews yet. One opens ahead of the scheduled date, and when purposes, tools, environments or owners
          change.
        </p>
      ) : (
        <ul className="divide-y">
          {reviews.map((r) => (
            <li key={r.id} className="flex flex-wrap items-center justify-between gap-2 py-1.5">
              <Link href={`/reviews/${r.id}`} className="text-primary underline-offset-2 hover:underline">
                {r.completedAt ? 'Review' : 'Open review'}
              </Link>
              <TriggerBadges triggers={r.triggers} />
              <span className="ml-auto flex items-center gap-2 text-muted-foreground">
                {r.completedAt && r.outcome ? (
                  <>
                    <OutcomeBadge outcome={r.outcome} /> <RelativeTime value={r.completedAt} />
                  </>
                ) : (
                  <>
                    reviewer {r.reviewer?.name ?? 'unassigned'} · due <RelativeTime value={r.dueAt} />
                  </>
                )}
              </span>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
