import { LazyMiniBarChart } from './lazy-charts';

export type BarDatum = { key: string; label: string; value: number; href: string; color: string };

/**
 * A small bar chart whose bars open the list behind them; the same numbers are links beside it for keyboards and
 * readers.
 */
export function BarList({ data, label }: { data: BarDatum[]; label: string }) {
  return (
    <div className="grid items-center gap-3 sm:grid-cols-[1fr_auto]">
      {/* A fixed height per bar, so every bar keeps its label. */}
      <div style={{ height: data.length * 28 + 8 }} aria-hidden>
        <LazyMiniBarChart data={data} label={label} />
      </div>
      <ul className="divide-y text-sm">
        {data.map((d) => (
          <li key={d.key} className="flex justify-between gap-6 py-1">
            <a
              href={d.href}
              className="underline decoration-muted-foreground/40 underline-offset-2 hover:decoration-current"
              data-testid={`figure-${d.key}`}
              data-count={d.value}
            >
              {d.label}
            </a>
            <span className="tabular-nums">{d.value.toLocaleString('en')}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
