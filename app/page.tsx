import { ShieldCheck } from 'lucide-react';

export default function LandingPage() {
  return (
    <main className="mx-auto flex min-h-screen max-w-3xl flex-col justify-center gap-6 px-6">
      <div className="flex items-center gap-2 text-primary">
        <ShieldCheck aria-hidden className="size-6" />
        <span className="text-lg font-semibold tracking-tight">Custodian</span>
      </div>
      <h1 className="text-3xl font-semibold tracking-tight">
        Who is accountable for every AI agent, and what happened to its credentials.
      </h1>
      <p className="max-w-2xl text-base text-muted-foreground">
        An ownership registry and governance dashboard for AI agents: accountable owners, IAM, PAM and platform
        control owners, credential custody, time-bounded exceptions, reviews, and a hash-chained custody timeline.
      </p>
    </main>
  );
}
