import { recordLayout } from '@/components/route-states/record-layout';
import { getExceptionDetail } from '@/lib/exceptions/queries';

export default recordLayout('agent.read', (id) => `/exceptions/${id}`, getExceptionDetail);
