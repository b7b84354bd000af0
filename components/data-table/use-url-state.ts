'use client';

import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useTransition } from 'react';

/** Table state lives in the URL: a filtered view is a link and survives reload. */
export function useUrlState() {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const [isPending, startTransition] = useTransition();
  // Changes made before the previous navigation lands build on it, not on the stale URL.
  const pending = useRef<URLSearchParams | null>(null);
  useEffect(() => {
    pending.current = null;
  }, [params]);
  const setParams = useCallback(
    (updates: Record<string, string | null>, options: { resetPage?: boolean } = { resetPage: true }) => {
      const next = new URLSearchParams((pending.current ?? params).toString());
      for (const [key, value] of Object.entries(updates)) {
        if (value === null || value === '') next.delete(key);
        else next.set(key, value);
      }
      // A filter, sort or size change starts the list over: drop page and cursors.
      if (options.resetPage) for (const key of ['page', 'after', 'before', 'newer']) next.delete(key);
      pending.current = next;
      const query = next.toString();
      startTransition(() => router.push(query ? `${pathname}?${query}` : pathname));
    },
    [params, pathname, router],
  );
  return { params, setParams, isPending };
}
