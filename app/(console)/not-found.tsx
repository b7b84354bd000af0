import { RouteNotFound } from '@/components/route-states/route-not-found';

/** Any console address that names nothing. */
export default function NotFound() {
  return <RouteNotFound what="page" back="/" backLabel="The dashboard" />;
}
