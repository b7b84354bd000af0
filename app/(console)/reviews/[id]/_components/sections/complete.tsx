import { CalendarCheck } from 'lucide-react';
import { Section } from '@/components/section';
import type { ReviewDetail } from '@/lib/reviews/queries';
import { CREDENTIAL_KIND, ENVIRONMENT, EXCEPTION_TYPE, labelOf, PURPOSE_STATUS } from '@/lib/vocabulary';
import { CompleteReviewForm } from '../review-controls';

/** The reviewer's decision form, or why this person cannot complete the review. */
export function CompleteSection({ detail }: { detail: ReviewDetail }) {
  const { review, agent, completionProblem } = detail;
  return (
    <Section title="Complete this review" icon={CalendarCheck} id="complete">
      {completionProblem ? (
        <p className="text-muted-foreground">{completionProblem}</p>
      ) : (
        <CompleteReviewForm
          reviewId={review.id}
          version={review.version}
          purposes={agent.purposes.map((p) => ({
            id: p.id,
            label: p.task,
            detail: `${labelOf(PURPOSE_STATUS, p.status)} · ${p.scope.join(', ')}`,
          }))}
          credentials={agent.credentials.map((c) => ({
            id: c.id,
            label: c.name,
            detail: `${labelOf(CREDENTIAL_KIND, c.kind)} · ${labelOf(ENVIRONMENT, c.environment)}`,
          }))}
          exceptions={agent.exceptions
            .filter((x) => x.status === 'APPROVED')
            .map((x) => ({ id: x.id, label: labelOf(EXCEPTION_TYPE, x.type), detail: x.credential?.name }))}
        />
      )}
    </Section>
  );
}
