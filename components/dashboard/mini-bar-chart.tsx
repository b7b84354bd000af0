'use client';

import { useRouter } from 'next/navigation';
import { Bar, BarChart, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { BarDatum } from './bar-list';

/** The bars beside a BarList's links; a bar opens the list behind it. */
export function MiniBarChart({ data, label }: { data: BarDatum[]; label: string }) {
  const router = useRouter();
  return (
    <ResponsiveContainer width="100%" height="100%" initialDimension={{ width: 320, height: data.length * 28 }}>
      <BarChart
        data={data}
        layout="vertical"
        accessibilityLayer={false}
        margin={{ top: 0, right: 8, bottom: 0, left: 0 }}
      >
        <XAxis type="number" hide allowDecimals={false} />
        <YAxis type="category" dataKey="label" width={130} interval={0} tick={{ fontSize: 11 }} />
        <Tooltip cursor={{ fillOpacity: 0.1 }} />
        <Bar
          dataKey="value"
          name={label}
          onClick={(d) => router.push((d as unknown as BarDatum).href)}
          className="cursor-pointer"
        >
          {data.map((d) => (
            <Cell key={d.key} fill={d.color} />
          ))}
        </Bar>
      </BarChart>
    </ResponsiveContainer>
  );
}
