'use client';

import { useRouter } from 'next/navigation';
import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export type BarDatum = { key: string; label: string; value: number; href: string; color: string };

/** A small bar chart whose bars open the list behind them; the same numbers are links beside it for keyboards and readers. */
export function BarList({ data, label }: { data: BarDatum[]; label: string }) {
  const router = useRouter();
  return (
    <div className="grid items-center gap-3 sm:grid-cols-[1fr_auto]">
      <div className="h-36" aria-hidden>
        <ResponsiveContainer width="100%" height="100%">
          <BarChart data={data} layout="vertical" accessibilityLayer={false} margin={{ top: 0, right: 8, bottom: 0, left: 0 }}>
            <XAxis type="number" hide allowDecimals={false} />
            <YAxis type="category" dataKey="label" width={90} tick={{ fontSize: 11 }} />
            <Tooltip cursor={{ fillOpacity: 0.1 }} />
            <Bar dataKey="value" name={label} onClick={(d) => router.push((d as unknown as BarDatum).href)} className="cursor-pointer">
              {data.map((d) => (
                <Cell key={d.key} fill={d.color} />
              ))}
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      </div>
      <ul className="divide-y text-sm">
        {data.map((d) => (
          <li key={d.key} className="flex justify-between gap-6 py-1">
            <a href={d.href} className="underline decoration-muted-foreground/40 underline-offset-2 hover:decoration-current" data-testid={`figure-${d.key}`}>
              {d.label}
            </a>
            <span className="tabular-nums">{d.value.toLocaleString('en')}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
