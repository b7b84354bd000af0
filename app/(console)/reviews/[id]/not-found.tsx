import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="review" back="/reviews" backLabel="The review queue" />;
}
