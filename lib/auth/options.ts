import 'server-only';
import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { appendAuditEvent } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { log } from '@/lib/ops/logger';
import { isDemoSignInEnabled } from './demo';
import { isOidcConfigured, oidcProvider, resolveOidcPerson, type OidcProfile } from './oidc';
import { getAuthSecret } from './secret';

declare module 'next-auth' {
  interface Session {
    user: { id: string; name?: string | null; email?: string | null };
  }
}

async function recordSignIn(userId: string | null, provider: string, refusal?: string) {
  await getDb().$transaction((tx) =>
    refusal
      ? appendAuditEvent(tx, {
          action: 'user.sign_in_refused',
          actor: { type: userId ? 'USER' : 'SYSTEM', id: userId },
          details: { provider, reason: refusal },
        })
      : appendAuditEvent(tx, { action: 'user.signed_in', actor: { type: 'USER', id: userId }, details: { provider } }),
  );
}

function demoProvider() {
  return CredentialsProvider({
    id: 'demo',
    name: 'Demo sign-in',
    credentials: { userId: { label: 'Person', type: 'text' } },
    async authorize(credentials) {
      if (!isDemoSignInEnabled()) return null;
      const userId = typeof credentials?.userId === 'string' ? credentials.userId : '';
      const user = userId
        ? await getDb().user.findUnique({
            where: { id: userId },
            select: { id: true, name: true, email: true, active: true },
          })
        : null;
      if (!user) {
        await recordSignIn(null, 'demo', 'unknown person');
        return null;
      }
      if (!user.active) {
        await recordSignIn(user.id, 'demo', 'person is deactivated');
        return null;
      }
      await recordSignIn(user.id, 'demo');
      return { id: user.id, name: user.name, email: user.email };
    },
  });
}

let options: NextAuthOptions | undefined;

export function getAuthOptions(): NextAuthOptions {
  options ??= {
    secret: getAuthSecret(),
    // A signed JWT cookie names the person; who they are and what they may do
    // is re-read from the database on every request (lib/auth/session.ts).
    session: { strategy: 'jwt', maxAge: 8 * 3600 },
    pages: { signIn: '/signin', error: '/signin' },
    // next-auth's own lines go to the JSON log: its code and the error, never the rest of what it passes (a provider's
    // answer, a token).
    logger: {
      error: (code, metadata) =>
        log.error({ code, err: metadata instanceof Error ? metadata : metadata?.error }, `sign-in: ${code}`),
      warn: (code) => log.warn({ code }, `sign-in: ${code}`),
      debug: () => undefined,
    },
    providers: [...(isOidcConfigured() ? [oidcProvider()] : []), ...(isDemoSignInEnabled() ? [demoProvider()] : [])],
    callbacks: {
      // Single sign-on: find or create the person, sync roles from the mapped
      // claim, refuse a deactivated person. The session then names our id.
      async signIn({ user, account, profile }) {
        if (account?.provider !== 'oidc') return true;
        if (!profile?.sub) return false;
        const result = await resolveOidcPerson(profile as OidcProfile, account);
        if (!result.ok) return '/signin?error=Deactivated';
        user.id = result.userId;
        return true;
      },
      jwt: ({ token, user }) => (user ? { ...token, sub: user.id } : token),
      session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub ?? '' } }),
    },
  };
  return options;
}
