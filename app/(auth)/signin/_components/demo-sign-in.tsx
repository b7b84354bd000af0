'use client';

import { LogIn } from 'lucide-react';
import { signIn } from 'next-auth/react';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import type { DemoPerson } from '@/lib/auth/demo';
import { labelOf, ROLE } from '@/lib/vocabulary';

/** Demo sign-in: pick one of the seeded people. Off in production unless enabled. */
export function DemoSignIn({ people, callbackUrl }: { people: DemoPerson[]; callbackUrl: string }) {
  const [pending, setPending] = useState<string | null>(null);
  if (people.length === 0) {
    return (
      <p className="text-muted-foreground">
        No people yet. Run <code>npm run db:seed</code> to add the demo people.
      </p>
    );
  }
  return (
    <section aria-labelledby="demo-heading" className="flex flex-col gap-3">
      <div>
        <h2 id="demo-heading" className="font-medium">
          Demo sign-in
        </h2>
        <p className="text-muted-foreground">Pick a person to see Custodian as they do. For the demo database only.</p>
      </div>
      <ul className="grid gap-2 sm:grid-cols-2">
        {people.map((person) => (
          <li key={person.id}>
            <Button
              variant="outline"
              className="h-auto w-full justify-start px-3 py-2 text-left"
              disabled={pending !== null}
              onClick={() => {
                setPending(person.id);
                void signIn('demo', { userId: person.id, callbackUrl });
              }}
              aria-label={`Sign in as ${person.name ?? person.email}`}
            >
              <LogIn aria-hidden />
              <span className="flex flex-col">
                <span className="font-medium">{person.name}</span>
                <span className="text-xs font-normal text-muted-foreground">
                  {person.roles.map((r) => labelOf(ROLE, r)).join(' · ')}
                  {pending === person.id ? ' — signing in…' : ''}
                </span>
              </span>
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
