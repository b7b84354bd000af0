import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="agent" back="/agents" backLabel="All agents" />;
}
