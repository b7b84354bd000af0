import { ShieldCheck } from 'lucide-react';
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getCurrentUser, isDemoSignInEnabled, isOidcConfigured, listDemoPeople } from '@/lib/auth';
import { DemoSignIn } from './_components/demo-sign-in';
import { SsoSignIn } from './_components/sso-sign-in';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

const ERRORS: Record<string, string> = {
  CredentialsSignin: 'That person cannot sign in: they are unknown or deactivated.',
  AccessDenied: 'Sign-in was refused.',
  Deactivated: 'Your Custodian account is deactivated. Ask a security lead to reactivate it.',
  OAuthSignin: 'The single sign-on provider could not be reached. Try again, or tell your administrator.',
  OAuthCallback: 'Single sign-on did not complete. Try again.',
};

type Props = { searchParams: Promise<{ callbackUrl?: string; error?: string }> };

export default async function SignInPage({ searchParams }: Props) {
  const { callbackUrl, error } = await searchParams;
  const safeCallback = callbackUrl?.startsWith('/') && !callbackUrl.startsWith('//') ? callbackUrl : '/';
  if (await getCurrentUser()) redirect(safeCallback);
  const demo = isDemoSignInEnabled();
  const sso = isOidcConfigured();
  const people = await listDemoPeople();
  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-2xl flex-col justify-center gap-6 px-6 py-12">
      <div className="flex items-center gap-2 text-primary">
        <ShieldCheck aria-hidden className="size-6" />
        <span className="text-lg font-semibold tracking-tight text-foreground">Custodian</span>
      </div>
      <h1 className="text-2xl font-semibold tracking-tight">Sign in</h1>
      {error ? (
        <p role="alert" className="rounded-md border border-danger/40 bg-danger/10 px-3 py-2 text-danger">
          {ERRORS[error] ?? 'Sign-in failed. Try again.'}
        </p>
      ) : null}
      {sso ? <SsoSignIn callbackUrl={safeCallback} /> : null}
      {demo ? <DemoSignIn people={people} callbackUrl={safeCallback} /> : null}
      {sso || demo ? null : (
        <p className="text-muted-foreground">
          No sign-in method is configured. Set the OIDC settings described in the README, or enable demo sign-in outside
          production.
        </p>
      )}
    </main>
  );
}
