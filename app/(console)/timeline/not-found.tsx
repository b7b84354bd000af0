import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="event" back="/timeline" backLabel="The whole timeline" />;
}
