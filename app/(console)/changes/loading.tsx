import { RouteLoading } from '@/components/route-states/route-loading';

export default function Loading() {
  return <RouteLoading label="Loading changes" />;
}
