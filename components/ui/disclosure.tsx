'use client';

import { useEffect, useRef, useState, type ReactNode } from 'react';
import { cn } from './cn';

/**
 * A closed <details> whose body is rendered when it is first opened, and kept. A page with a form per row (an agent's
 * credentials and purposes, its request forms) sends none of those forms' markup until someone opens one.
 */
export function Disclosure({
  summary,
  small = false,
  className,
  children,
}: {
  summary: ReactNode;
  /** The summary in the small type of a table cell. */
  small?: boolean;
  className?: string;
  children: ReactNode;
}) {
  const details = useRef<HTMLDetailsElement>(null);
  const [opened, setOpened] = useState(false);
  // Opened before the page was interactive: the toggle came before its listener.
  useEffect(() => {
    if (details.current?.open) setOpened(true);
  }, []);
  return (
    <details ref={details} className={className} onToggle={(e) => e.currentTarget.open && setOpened(true)}>
      <summary className={cn('cursor-pointer text-primary underline underline-offset-2', small && 'text-xs')}>
        {summary}
      </summary>
      {opened ? children : null}
    </details>
  );
}
