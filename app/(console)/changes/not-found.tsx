import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="change request" back="/changes" backLabel="All changes" />;
}
