import { recordLayout } from '@/components/route-states/record-layout';
import { getReviewDetail } from '@/lib/reviews/queries';

export default recordLayout('agent.read', (id) => `/reviews/${id}`, getReviewDetail);
