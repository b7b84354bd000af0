import { Lock, ShieldCheck } from 'lucide-react';
import { SignOutButton } from './shell/sign-out-button';

/** Signed in with no role: nothing but this. */
export function NoAccess() {
  return (
    <main
      id="main"
      className="mx-auto flex min-h-screen max-w-lg flex-col items-center justify-center gap-3 px-6 text-center"
    >
      <ShieldCheck aria-hidden className="size-6 text-primary" />
      <h1 className="flex items-center gap-2 text-xl font-semibold">
        <Lock aria-hidden className="size-5" /> No access yet
      </h1>
      <p className="text-muted-foreground">
        You are signed in, but you hold no Custodian role. Ask a security lead to grant you one (Security lead, PAM
        approver, Auditor or Agent owner).
      </p>
      <SignOutButton />
    </main>
  );
}
