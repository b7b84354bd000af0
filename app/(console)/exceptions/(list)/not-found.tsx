import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="exception" back="/exceptions" backLabel="The exception queue" />;
}
