'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/components/ui/cn';
import { SpriteIcon } from '@/components/ui/sprite-icon';
import type { NavItem } from './nav-items';

export function NavLinks({ items }: { items: (NavItem & { countValue?: number })[] }) {
  const pathname = usePathname();
  return (
    <ul className="flex flex-col gap-0.5">
      {items.map((item) => {
        const active = item.href === '/' ? pathname === '/' : pathname.startsWith(item.href);
        return (
          <li key={item.href}>
            <Link
              href={item.href}
              aria-current={active ? 'page' : undefined}
              className={cn(
                'flex h-8 items-center gap-2 rounded-md px-2 text-muted-foreground hover:bg-accent ' +
                  'hover:text-accent-foreground',
                active && 'bg-accent font-medium text-accent-foreground',
              )}
            >
              <SpriteIcon name={item.icon} className="size-4" />
              <span className="flex-1">{item.label}</span>
              {item.countValue ? (
                <span
                  className="rounded-full bg-primary/10 px-1.5 text-xs font-medium text-primary tabular-nums"
                  aria-label={`${item.countValue} need attention`}
                >
                  {item.countValue}
                </span>
              ) : null}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}
