'use client';

import { useRef, useState } from 'react';
import { Button } from '@/components/ui/button';
import { SpriteIcon } from '@/components/ui/sprite-icon';
import type { NavItem } from './nav-items';
import { NavLinks } from './nav-links';
import { SignOutButton } from './sign-out-button';

/**
 * Below 768 px the sidebar becomes this: a menu button and a drawer with the
 * same navigation and counts. A modal <dialog> traps focus and closes on
 * Escape; following a link closes it.
 */
export function MobileNav({
  items,
  person,
}: {
  items: (NavItem & { countValue?: number })[];
  person: { name: string; roles: string };
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  // The drawer's content exists only while it is open: the page holds one navigation and one name, not two.
  const [open, setOpen] = useState(false);
  return (
    <div className="md:hidden">
      <Button
        variant="ghost"
        size="icon"
        aria-label="Open menu"
        onClick={() => {
          setOpen(true);
          dialog.current?.showModal();
        }}
      >
        <SpriteIcon name="menu" />
      </Button>
      <dialog
        ref={dialog}
        aria-label="Menu"
        className={
          'm-0 h-dvh max-h-none w-72 max-w-[85vw] border-r bg-background p-0 text-foreground ' + 'backdrop:bg-black/40'
        }
        onClick={(event) => {
          // A click on the backdrop (the dialog itself) or on a link closes the drawer.
          const target = event.target as HTMLElement;
          if (target === dialog.current || target.closest('a')) dialog.current?.close();
        }}
      >
        {open ? (
          <div className="flex h-full flex-col gap-4 px-3 py-4">
            <div className="flex items-center justify-between px-2">
              <span className="flex items-center gap-2 font-semibold tracking-tight">
                <SpriteIcon name="shield-check" className="size-5 text-primary" />
                Custodian
              </span>
              <Button variant="ghost" size="icon" aria-label="Close menu" onClick={() => dialog.current?.close()}>
                <SpriteIcon name="x" />
              </Button>
            </div>
            <nav aria-label="Main menu">
              <NavLinks items={items} />
            </nav>
            <div className="mt-auto border-t px-2 pt-3 leading-tight">
              <div className="font-medium">{person.name}</div>
              <div className="text-xs text-muted-foreground">{person.roles}</div>
              <div className="mt-2">
                <SignOutButton />
              </div>
            </div>
          </div>
        ) : null}
      </dialog>
    </div>
  );
}
