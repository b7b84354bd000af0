import { recordLayout } from '@/components/route-states/record-layout';
import { getCampaign } from '@/lib/reviews/queries';

export default recordLayout('agent.read', (id) => `/reviews/campaigns/${id}`, getCampaign);
