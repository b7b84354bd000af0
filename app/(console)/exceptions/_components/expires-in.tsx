'use client';

import { useEffect, useState } from 'react';

function format(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  return `${m} min ${sec.toString().padStart(2, '0')} s`;
}

/** A live countdown to an exception's expiry; the exact time on hover. */
export function ExpiresIn({ at }: { at: string | Date }) {
  const end = new Date(at).getTime();
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now()); // eslint-disable-line react-hooks/set-state-in-effect -- the clock starts after hydration
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return (
    <time
      dateTime={new Date(end).toISOString()}
      title={new Date(end).toLocaleString()}
      data-testid="expires-in"
      suppressHydrationWarning
    >
      {now === null ? new Date(end).toISOString().slice(0, 16).replace('T', ' ') : `expires in ${format(end - now)}`}
    </time>
  );
}
