import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="token" back="/tokens" backLabel="All tokens" />;
}
