'use client';

import { useSyncExternalStore } from 'react';
import { Button } from '@/components/ui/button';
import { SpriteIcon } from '@/components/ui/sprite-icon';

const noChange = () => () => {};

/** Switches light and dark; the choice is kept in localStorage. */
export function ThemeToggle() {
  // Disabled until hydrated: a click before then would do nothing (and a test's click would be lost).
  const hydrated = useSyncExternalStore(
    noChange,
    () => true,
    () => false,
  );
  const toggle = () => {
    const dark = !document.documentElement.classList.contains('dark');
    document.documentElement.classList.toggle('dark', dark);
    localStorage.setItem('theme', dark ? 'dark' : 'light');
  };
  return (
    <Button
      variant="ghost"
      size="icon"
      onClick={toggle}
      disabled={!hydrated}
      aria-label="Switch light or dark theme"
      title="Switch theme"
    >
      <SpriteIcon name="sun" className="hidden dark:block" />
      <SpriteIcon name="moon" className="dark:hidden" />
    </Button>
  );
}
