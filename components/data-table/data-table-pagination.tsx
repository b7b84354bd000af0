'use client';

import { ChevronLeft, ChevronRight, ChevronsLeft } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { useUrlState } from './use-url-state';

/**
 * Keyset pagination: first, previous and next pages by cursor, so a page deep
 * in a big list costs what the first does. `total` may be capped ("10,000+").
 */
export function DataTablePagination({
  shown,
  size,
  total,
  capped,
  next,
  prev,
  sizes = [25, 50, 100],
}: {
  shown: number;
  size: number;
  total: number;
  capped: boolean;
  next: string | null;
  prev: string | null;
  sizes?: number[];
}) {
  const { setParams } = useUrlState();
  const of = `${total.toLocaleString()}${capped ? '+' : ''}`;
  return (
    <nav aria-label="Pagination" className="mt-3 flex flex-wrap items-center justify-between gap-3 text-muted-foreground">
      <span>{total === 0 ? 'No rows' : `Showing ${shown.toLocaleString()} of ${of}`}</span>
      <div className="flex items-center gap-2">
        <label className="flex items-center gap-1">
          Rows per page
          <select
            className="h-8 rounded-md border border-input bg-background px-2 text-foreground"
            value={size}
            onChange={(e) => setParams({ size: e.target.value })}
          >
            {sizes.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <Button variant="outline" size="icon" aria-label="First page" disabled={!prev} onClick={() => setParams({})}>
          <ChevronsLeft aria-hidden />
        </Button>
        <Button variant="outline" size="icon" aria-label="Previous page" disabled={!prev} onClick={() => setParams({ before: prev, after: null }, { resetPage: false })}>
          <ChevronLeft aria-hidden />
        </Button>
        <Button variant="outline" size="icon" aria-label="Next page" disabled={!next} onClick={() => setParams({ after: next, before: null }, { resetPage: false })}>
          <ChevronRight aria-hidden />
        </Button>
      </div>
    </nav>
  );
}
