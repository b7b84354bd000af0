'use client';

import { KeyRound } from 'lucide-react';
import { signIn } from 'next-auth/react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';

export function SsoSignIn({ callbackUrl }: { callbackUrl: string }) {
  const [pending, setPending] = useState(false);
  return (
    <Button
      className="self-start"
      disabled={pending}
      onClick={() => {
        setPending(true);
        void signIn('oidc', { callbackUrl });
      }}
    >
      <KeyRound aria-hidden />
      {pending ? 'Redirecting…' : 'Sign in with single sign-on'}
    </Button>
  );
}
