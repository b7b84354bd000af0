import { CalendarCheck } from 'lucide-react';
import { Section } from '@/components/section';
import { OutcomeBadge } from '@/components/vocabulary';
import { localDay } from '@/lib/reviews/cadence';
import type { ReviewDetail } from '@/lib/reviews/queries';
import { EXCEPTION_TYPE, labelOf } from '@/lib/vocabulary';

/** A completed review's outcome, notes and the reductions it authorised. */
export function DecisionSection({ detail }: { detail: ReviewDetail }) {
  const { review, decision, timeZone } = detail;
  return (
    <Section title="Decision" icon={CalendarCheck} id="decision">
      <p className="flex flex-wrap items-center gap-2" data-testid="review-decision">
        {review.outcome ? <OutcomeBadge outcome={review.outcome} /> : null} by {review.completedBy?.name}
        {decision?.nextReviewDue ? (
          <span className="text-muted-foreground">
            · next review due {localDay(new Date(decision.nextReviewDue), timeZone)}
          </span>
        ) : null}
      </p>
      <p className="mt-2 whitespace-pre-wrap">{review.notes}</p>
      {decision?.reductions ? (
        <ul className="mt-2 list-inside list-disc text-muted-foreground">
          {decision.reductions.purposes.map((p) => (
            <li key={p.id}>Purpose expired: {p.task}</li>
          ))}
          {decision.reductions.credentials.map((c) => (
            <li key={c.id}>Credential revoked: {c.name}</li>
          ))}
          {decision.reductions.exceptions.map((x) => (
            <li key={x.id}>Exception revoked: {labelOf(EXCEPTION_TYPE, x.type)}</li>
          ))}
        </ul>
      ) : null}
    </Section>
  );
}
