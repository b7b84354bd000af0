'use client';

import dynamic from 'next/dynamic';

// The charts load after the page: the chart library is most of the
// dashboard's JavaScript, and keeping it out of the first load holds every
// page under 250 kB gzip. Placeholders keep the layout from jumping.
const placeholder = (height: string) =>
  function ChartPlaceholder() {
    return <div className={`${height} w-full animate-pulse rounded-md bg-muted`} />;
  };

export const LazyTrendChart = dynamic(() => import('./trend-chart').then((m) => m.TrendChart), {
  ssr: false,
  loading: placeholder('h-64'),
});
export const LazyMiniBarChart = dynamic(() => import('./mini-bar-chart').then((m) => m.MiniBarChart), {
  ssr: false,
  loading: placeholder('h-full'),
});
