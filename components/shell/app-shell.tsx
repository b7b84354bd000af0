import { Search, ShieldCheck } from 'lucide-react';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Input } from '@/components/ui/input';
import { can, type Actor } from '@/lib/authz';
import { labelOf, ROLE } from '@/lib/vocabulary';
import { getNavCounts } from '@/lib/navigation/counts';
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
  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:p-2">
        Skip to content
      </a>
      <aside className="sticky top-0 hidden h-screen w-56 shrink-0 flex-col border-r bg-muted/30 px-3 py-4 md:flex print:hidden">
        <Link href="/" className="mb-5 flex items-center gap-2 px-2 font-semibold tracking-tight">
          <ShieldCheck aria-hidden className="size-5 text-primary" />
          Custodian
        </Link>
        <nav aria-label="Main">
          <NavLinks items={items} />
        </nav>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="sticky top-0 z-10 flex h-14 items-center gap-3 border-b bg-background/95 px-4 backdrop-blur print:hidden">
          <form action="/agents" role="search" className="relative w-full max-w-md">
            <label htmlFor="global-search" className="sr-only">
              Search agents by name, slug, workload identity or owner
            </label>
            <Search aria-hidden className="pointer-events-none absolute top-2.5 left-2.5 size-4 text-muted-foreground" />
            <Input id="global-search" name="q" type="search" placeholder="Search agents, workload identities, owners…" className="pl-8" />
          </form>
          <div className="ml-auto flex items-center gap-2">
            <ThemeToggle />
            <div className="hidden text-right leading-tight sm:block">
              <div className="font-medium" data-testid="current-user">
                {user.name ?? user.email}
              </div>
              <div className="text-xs text-muted-foreground">{user.roles.map((r) => labelOf(ROLE, r)).join(' · ')}</div>
            </div>
            <SignOutButton />
          </div>
        </header>
        <main id="main" className="flex-1 px-6 py-6">
          {children}
        </main>
      </div>
    </div>
  );
}
