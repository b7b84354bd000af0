import { CalendarCheck, History, KeyRound, ShieldCheck, UsersRound } from 'lucide-react';
import Link from 'next/link';
import { buttonVariants } from '@/components/ui/button';

const POINTS = [
  {
    icon: UsersRound,
    title: 'Ownership by control plane',
    text: 'An accountable owner for every agent, and named IAM, PAM and platform-security owners.',
  },
  {
    icon: KeyRound,
    title: 'Credential custody',
    text:
      'Where each credential lives, how it is issued, and every issue, use, rotation and revocation. Never the ' +
      'secret itself.',
  },
  {
    icon: CalendarCheck,
    title: 'Exceptions and reviews',
    text: 'Time-bounded, approved deviations, and reviews that make access shrink or end on time.',
  },
  {
    icon: History,
    title: 'A provable timeline',
    text: 'An append-only, hash-chained custody timeline that auditors can filter, export and verify.',
  },
];

export function Landing() {
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-4xl flex-col justify-center gap-8 px-6 py-12">
      <div className="flex items-center gap-2 text-primary">
        <ShieldCheck aria-hidden className="size-6" />
        <span className="text-lg font-semibold tracking-tight">Custodian</span>
      </div>
      <div className="flex flex-col gap-4">
        <h1 className="text-3xl font-semibold tracking-tight">
          Who is accountable for every AI agent, and what happened to its credentials.
        </h1>
        <p className="max-w-2xl text-base text-muted-foreground">
          The governance dashboard and ownership registry for AI agents and the credentials they hold: for security
          leads, PAM approvers, auditors and agent owners.
        </p>
        <div>
          <Link href="/signin" className={buttonVariants()}>
            Sign in
          </Link>
        </div>
      </div>
      <ul className="grid gap-4 sm:grid-cols-2">
        {POINTS.map(({ icon: Icon, title, text }) => (
          <li key={title} className="rounded-lg border bg-card p-4">
            <Icon aria-hidden className="mb-2 size-5 text-primary" />
            <h2 className="font-medium">{title}</h2>
            <p className="mt-1 text-muted-foreground">{text}</p>
          </li>
        ))}
      </ul>
    </main>
  );
}
