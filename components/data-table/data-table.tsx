'use client';

import {
  columnVisibilityFeature,
  flexRender,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type RowData,
  type SortingState,
} from '@tanstack/react-table';
import { ArrowDown, ArrowUp, ArrowUpDown, Columns3 } from 'lucide-react';
import { useEffect, useState } from 'react';
import { cn } from '@/components/ui/cn';
import { useUrlState } from './use-url-state';

export const dataTableFeatures = tableFeatures({ rowSortingFeature, columnVisibilityFeature });
export type DataTableFeatures = typeof dataTableFeatures;

type Props<TRow extends RowData> = {
  /** Names the table in localStorage (column visibility). */
  id: string;
  columns: ColumnDef<DataTableFeatures, TRow>[];
  data: TRow[];
  /** The server's sort, when the list can be sorted; lists with one fixed order leave it out. */
  sort?: string;
  dir?: 'asc' | 'desc';
  hiddenByDefault?: string[];
  caption: string;
};

/**
 * A table whose sorting happens on the server: TanStack in manual mode, with
 * the sort written to the URL. Column visibility is remembered per browser.
 */
export function DataTable<TRow extends RowData>({
  id,
  columns,
  data,
  sort,
  dir,
  hiddenByDefault = [],
  caption,
}: Props<TRow>) {
  const { setParams, isPending } = useUrlState();
  const [columnVisibility, setColumnVisibility] = useState<Record<string, boolean>>(
    Object.fromEntries(hiddenByDefault.map((c) => [c, false])),
  );
  useEffect(() => {
    const saved = localStorage.getItem(`table:${id}:columns`);
    // eslint-disable-next-line react-hooks/set-state-in-effect -- restoring a browser-only preference after hydration
    if (saved) setColumnVisibility(JSON.parse(saved) as Record<string, boolean>);
  }, [id]);

  const sorting: SortingState = sort ? [{ id: sort, desc: dir === 'desc' }] : [];
  const table = useTable({
    features: dataTableFeatures,
    columns,
    data,
    manualSorting: true,
    enableSorting: Boolean(sort),
    enableSortingRemoval: false,
    state: { sorting, columnVisibility },
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater;
      const first = next[0];
      if (first) setParams({ sort: first.id, dir: first.desc ? 'desc' : 'asc' });
    },
    onColumnVisibilityChange: (updater) => {
      setColumnVisibility((current) => {
        const next = typeof updater === 'function' ? updater(current) : updater;
        localStorage.setItem(`table:${id}:columns`, JSON.stringify(next));
        return next;
      });
    },
  });

  return (
    <div className="flex flex-col gap-2">
      <details className="self-end">
        <summary className="inline-flex cursor-pointer items-center gap-1 text-muted-foreground hover:text-foreground">
          <Columns3 aria-hidden className="size-4" /> Visible columns
        </summary>
        <fieldset className="absolute right-6 z-20 mt-1 flex flex-col gap-1 rounded-md border bg-card p-3 shadow-md">
          <legend className="sr-only">Columns shown in the {caption} table</legend>
          {table
            .getAllLeafColumns()
            .filter((c) => c.getCanHide())
            .map((column) => (
              <label key={column.id} className="flex items-center gap-2">
                <input type="checkbox" checked={column.getIsVisible()} onChange={column.getToggleVisibilityHandler()} />
                {/* Named apart from the filters beside the table ("Show column: Risk tier", not "Risk tier"). */}
                <span className="sr-only">Show column: </span>
                {typeof column.columnDef.header === 'string' ? column.columnDef.header : column.id}
              </label>
            ))}
        </fieldset>
      </details>
      <div
        className={cn('w-full overflow-x-auto rounded-lg border transition-opacity', isPending && 'opacity-60')}
        aria-busy={isPending}
      >
        <table className="w-full text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-muted/60 text-left text-xs text-muted-foreground">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const sorted = header.column.getIsSorted();
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      className="h-9 px-3 font-medium whitespace-nowrap"
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                    >
                      {header.column.getCanSort() ? (
                        <button
                          type="button"
                          className="inline-flex items-center gap-1 hover:text-foreground"
                          onClick={header.column.getToggleSortingHandler()}
                        >
                          <table.FlexRender header={header} />
                          {sorted === 'asc' ? (
                            <ArrowUp aria-hidden className="size-3" />
                          ) : sorted === 'desc' ? (
                            <ArrowDown aria-hidden className="size-3" />
                          ) : (
                            <ArrowUpDown aria-hidden className="size-3 opacity-40" />
                          )}
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y">
            {table.getRowModel().rows.map((row) => (
              <tr key={row.id} className="hover:bg-muted/40">
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="px-3 py-2 align-middle">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
