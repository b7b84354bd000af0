import { Users } from 'lucide-react';
import { PersonCell } from '@/components/person-cell';
import { Section } from '@/components/section';
import { RelativeTime } from '@/components/ui/relative-time';
import type { ReviewDetail } from '@/lib/reviews/queries';
import { AssignReviewerForm } from '../review-controls';

/** Who reviews, why they may not (if so), and a security lead's reassignment. */
export function ReviewerSection({ detail, canAssign }: { detail: ReviewDetail; canAssign: boolean }) {
  const { review, reviewerProblem } = detail;
  return (
    <Section title="Reviewer" icon={Users} id="reviewer">
      <p>
        <PersonCell person={review.reviewer} missing="Unassigned" />
        {review.completedAt ? (
          <span className="text-muted-foreground">
            {' '}
            — completed by {review.completedBy?.name} <RelativeTime value={review.completedAt} />
          </span>
        ) : null}
      </p>
      {reviewerProblem ? <p className="mt-1 text-danger">{reviewerProblem}</p> : null}
      {canAssign && !review.completedAt ? (
        <div className="mt-3">
          <AssignReviewerForm reviewId={review.id} version={review.version} current={review.reviewer} />
        </div>
      ) : null}
    </Section>
  );
}
