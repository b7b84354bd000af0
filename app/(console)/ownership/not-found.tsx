import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="agent" back="/ownership" backLabel="The ownership matrix" />;
}
