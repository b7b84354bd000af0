import Link from 'next/link';
import type { ReactNode } from 'react';
import { Input } from '@/components/ui/input';
import { SpriteIcon } from '@/components/ui/sprite-icon';
import { can, type Actor } from '@/lib/authz';
import { getNavCounts } from '@/lib/navigation/counts';
import { labelOf, ROLE } from '@/lib/vocabulary';
import { MobileNav } from './mobile-nav';
import { NAV_ITEMS } from './nav-items';
import { NavLinks } from './nav-links';
import { SignOutButton } from './sign-out-button';
import { ThemeToggle } from './theme-toggle';

/** The console frame: left navigation with counts, top bar with search and the person. */
export async function AppShell({ user, children }: { user: Actor; children: ReactNode }) {
  const counts = await getNavCounts(user);
  const items = NAV_ITEMS.filter((item) => can(user, item.permission)).map((item) => ({
    ...item,
    countValue: item.count ? counts[item.count] : undefined,
  }));
  const roles = user.roles.map((r) => labelOf(ROLE, r)).join(' · ');
  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <aside
        className={
          'sticky top-0 hidden h-screen w-56 shrink-0 flex-col border-r bg-muted/30 px-3 py-4 md:flex ' + 'print:hidden'
        }
      >
        <Link href="/" className="mb-5 flex items-center gap-2 px-2 font-semibold tracking-tight">
          <SpriteIcon name="shield-check" className="size-5 text-primary" />
          Custodian
        </Link>
        <nav aria-label="Main">
          <NavLinks items={items} />
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header
          className={
            'sticky top-0 z-20 flex h-14 items-center gap-2 border-b bg-background/95 px-2 backdrop-blur sm:gap-3 ' +
            'sm:px-4 print:hidden'
          }
        >
          <MobileNav items={items} person={{ name: user.name ?? user.email ?? '', roles }} />
          <form
            action="/agents"
            role="search"
            aria-label="Search agents"
            className="relative min-w-0 flex-1 md:max-w-md"
          >
            <label htmlFor="global-search" className="sr-only">
              Search agents by name, slug, workload identity or owner
            </label>
            <SpriteIcon
              name="search"
              className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground"
            />
            <Input id="global-search" name="q" type="search" placeholder="Search agents or owners…" className="pl-8" />
          </form>
          <div className="ml-auto flex shrink-0 items-center gap-2">
            <ThemeToggle />
            <div className="hidden text-right leading-tight md:block">
              <div className="font-medium" data-testid="current-user">
                {user.name ?? user.email}
              </div>
              <div className="text-xs text-muted-foreground">{roles}</div>
            </div>
            <div className="hidden md:block">
              <SignOutButton />
            </div>
          </div>
        </header>
        <main id="main" className="min-w-0 flex-1 px-3 py-4 sm:px-6 sm:py-6">
          {children}
        </main>
      </div>
    </div>
  );
}
