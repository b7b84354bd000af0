'use client';

import { ChevronLeft, ChevronRight, ChevronsLeft } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { ListCount } from './list-count';
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
  noun = 'row',
  plural,
  nextParam = 'after',
  prevParam = 'before',
}: {
  shown: number;
  size: number;
  /** Omitted for lists too long to count cheaply (the timeline). */
  total?: number;
  capped?: boolean;
  next: string | null;
  prev: string | null;
  sizes?: number[];
  noun?: string;
  plural?: string;
  /** The URL parameters the cursors travel in (the timeline's API names them before/newer). */
  nextParam?: string;
  prevParam?: string;
}) {
  const { setParams } = useUrlState();
  return (
    <nav
      aria-label="Pagination"
      className="mt-3 flex flex-wrap items-center justify-between gap-3 text-muted-foreground"
    >
      <span>
        Showing {shown.toLocaleString('en')}
        {total === undefined ? null : (
          <>
            {' '}
            of <ListCount total={total} capped={capped} noun={noun} plural={plural} />
          </>
        )}
      </span>
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
        <Button
          variant="outline"
          size="icon"
          aria-label="Previous page"
          disabled={!prev}
          onClick={() => setParams({ [prevParam]: prev, [nextParam]: null }, { resetPage: false })}
        >
          <ChevronLeft aria-hidden />
        </Button>
        <Button
          variant="outline"
          size="icon"
          aria-label="Next page"
          disabled={!next}
          onClick={() => setParams({ [nextParam]: next, [prevParam]: null }, { resetPage: false })}
        >
          <ChevronRight aria-hidden />
        </Button>
      </div>
    </nav>
  );
}
