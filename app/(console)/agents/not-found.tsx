import { RouteNotFound } from '@/components/route-states/route-not-found';

// Catches a missing record found by the child record's layout (a layout's notFound() reaches its parent's boundary).
export default function NotFound() {
  return <RouteNotFound what="agent" back="/agents" backLabel="All agents" />;
}
