'use client';

import { Bar, CartesianGrid, ComposedChart, Legend, Line, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { TrendDay } from '@/lib/policy/trend';

/** Open findings per day, with the findings opened and closed that day. */
export function TrendChart({ days }: { days: TrendDay[] }) {
  if (days.length === 0) {
    return (
      <p className="flex h-64 items-center justify-center text-muted-foreground">
        No findings history yet: the first findings sync starts it.
      </p>
    );
  }
  return (
    <figure aria-label="Findings over the last 90 days">
      <div className="h-64 w-full">
        <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 640, height: 256 }}>
          <ComposedChart data={days} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" className="stroke-border" />
            <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} minTickGap={24} tick={{ fontSize: 11 }} />
            <YAxis allowDecimals={false} tick={{ fontSize: 11 }} width={40} />
            <Tooltip />
            <Legend />
            <Bar dataKey="opened" name="Opened" fill="var(--color-danger)" opacity={0.6} />
            <Bar dataKey="closed" name="Closed" fill="var(--color-success)" opacity={0.6} />
            <Line
              type="monotone"
              dataKey="open"
              name="Open"
              stroke="var(--color-primary)"
              dot={false}
              strokeWidth={2}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <figcaption className="sr-only">
        {days.length
          ? `On ${days[days.length - 1]!.day}: ${days[days.length - 1]!.open} open findings.`
          : 'No data yet.'}
      </figcaption>
    </figure>
  );
}
