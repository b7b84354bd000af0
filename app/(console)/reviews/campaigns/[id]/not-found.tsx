import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="campaign" back="/reviews/campaigns" backLabel="All campaigns" />;
}
