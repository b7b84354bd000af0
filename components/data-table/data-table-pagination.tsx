'use client';

import { ChevronLeft, ChevronRight } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { useUrlState } from './use-url-state';

export function DataTablePagination({ page, size, total, sizes = [25, 50, 100] }: { page: number; size: number; total: number; sizes?: number[] }) {
  const { setParams } = useUrlState();
  const pages = Math.max(1, Math.ceil(total / size));
  const first = total === 0 ? 0 : (page - 1) * size + 1;
  const last = Math.min(total, page * size);
  return (
    <nav aria-label="Pagination" className="mt-3 flex flex-wrap items-center justify-between gap-3 text-muted-foreground">
      <span>
        {total === 0 ? 'No rows' : `Showing ${first.toLocaleString()}–${last.toLocaleString()} of ${total.toLocaleString()}`}
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
        <span>
          Page {page} of {pages}
        </span>
        <Button variant="outline" size="icon" aria-label="Previous page" disabled={page <= 1} onClick={() => setParams({ page: String(page - 1) }, { resetPage: false })}>
          <ChevronLeft aria-hidden />
        </Button>
        <Button variant="outline" size="icon" aria-label="Next page" disabled={page >= pages} onClick={() => setParams({ page: String(page + 1) }, { resetPage: false })}>
          <ChevronRight aria-hidden />
        </Button>
      </div>
    </nav>
  );
}
