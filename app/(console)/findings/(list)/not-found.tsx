import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="finding" back="/findings" backLabel="All findings" />;
}
