'use client';

import { signOut } from 'next-auth/react';
import { Button } from '@/components/ui/button';
import { SpriteIcon } from '@/components/ui/sprite-icon';

export function SignOutButton() {
  return (
    <Button variant="ghost" size="sm" onClick={() => signOut({ callbackUrl: '/' })}>
      <SpriteIcon name="log-out" />
      Sign out
    </Button>
  );
}
