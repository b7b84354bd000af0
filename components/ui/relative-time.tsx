'use client';

import { useEffect, useState } from 'react';

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

function relative(date: Date, now: number): string {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'second') return format.format(Math.round(seconds / size), unit);
  }
  return '';
}

/**
 * Relative time ("3 days ago") with the exact time, in the viewer's time
 * zone, on hover. The server renders the ISO time; the browser localises it.
 */
export function RelativeTime({ value }: { value: string | Date }) {
  const date = typeof value === 'string' ? new Date(value) : value;
  const iso = date.toISOString();
  const [label, setLabel] = useState<{ text: string; title: string } | null>(null);
  useEffect(() => {
    const update = () =>
      setLabel({
        text: relative(date, Date.now()),
        title: date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'long' }),
      });
    update();
    const timer = setInterval(update, 30_000);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [iso]);
  return (
    <time dateTime={iso} title={label?.title ?? iso} suppressHydrationWarning>
      {label?.text ?? iso.slice(0, 16).replace('T', ' ')}
    </time>
  );
}
