import { CalendarCheck, KeyRound } from 'lucide-react';
import { Section } from '@/components/section';
import { rotationMissing } from '@/lib/exceptions/rotation';
import type { ReviewDetail } from '@/lib/reviews/queries';
import { CREDENTIAL_KIND, ENVIRONMENT, EXCEPTION_TYPE, labelOf, PURPOSE_STATUS } from '@/lib/vocabulary';
import { CompleteReviewForm } from '../review-controls';

/** The reviewer's decision form, or why this person cannot complete the review. */
export function CompleteSection({ detail }: { detail: ReviewDetail }) {
  const { review, agent, completionProblem, awaitingRotation } = detail;
  return (
    <Section title="Complete this review" icon={CalendarCheck} id="complete">
      {awaitingRotation.length > 0 ? (
        <p
          role="note"
          data-testid="awaiting-rotation"
          className="mb-3 flex items-start gap-2 rounded-md border border-warning/40 bg-warning/10 p-2 text-warning"
        >
          <KeyRound aria-hidden className="mt-0.5 size-4 shrink-0" />
          <span>
            After the break-glass, {rotationMissing(awaitingRotation)}. It certifies (or closes with scope reduced) only
            once each is rotated on the agent’s page or revoked here; or suspend the agent.
          </span>
        </p>
      ) : null}
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
            .map((x) => ({
              id: x.id,
              label: labelOf(EXCEPTION_TYPE, x.type),
              detail: x.credentials.map((c) => c.credential.name).join(', '),
            }))}
        />
      )}
    </Section>
  );
}
