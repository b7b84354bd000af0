import { RouteNotFound } from '@/components/route-states/route-not-found';

export default function NotFound() {
  return <RouteNotFound what="framework" back="/findings" backLabel="All findings" />;
}
