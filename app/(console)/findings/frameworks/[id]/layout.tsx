import { recordLayout } from '@/components/route-states/record-layout';
import { FRAMEWORKS } from '@/lib/policy/frameworks';

export default recordLayout(
  'findings.read',
  (id) => `/findings/frameworks/${id}`,
  async (_actor, id) => FRAMEWORKS.find((f) => f.id === id),
);
