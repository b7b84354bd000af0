'use client';

import { Moon, Sun } from 'lucide-react';
import { Button } from '@/components/ui/button';

/** Switches light and dark; the choice is kept in localStorage. */
export function ThemeToggle() {
  const toggle = () => {
    const dark = !document.documentElement.classList.contains('dark');
    document.documentElement.classList.toggle('dark', dark);
    localStorage.setItem('theme', dark ? 'dark' : 'light');
  };
  return (
    <Button variant="ghost" size="icon" onClick={toggle} aria-label="Switch light or dark theme" title="Switch theme">
      <Sun aria-hidden className="hidden dark:block" />
      <Moon aria-hidden className="dark:hidden" />
    </Button>
  );
}
