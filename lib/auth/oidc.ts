import 'server-only';
import type { Account, Profile } from 'next-auth';
import type { OAuthConfig } from 'next-auth/providers/oauth';
import { appendAuditEvents, type AuditEventInput } from '@/lib/audit';
import { getDb, type Tx } from '@/lib/db';
import { getEnv } from '@/lib/env';
import type { Role } from '@/lib/generated/prisma/enums';
import { followMappedRoles } from '@/lib/users/mapped-roles';

const ROLES: readonly Role[] = ['ADMIN', 'PAM_APPROVER', 'AUDITOR', 'OWNER'];

export type OidcProfile = Profile & { sub: string; email?: string; name?: string } & Record<string, unknown>;

export function isOidcConfigured(): boolean {
  const env = getEnv();
  return Boolean(env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET);
}

/** A generic OpenID Connect provider, configured only by environment. */
export function oidcProvider(): OAuthConfig<OidcProfile> {
  const env = getEnv();
  const issuer = (env.OIDC_ISSUER ?? '').replace(/\/$/, '');
  return {
    id: 'oidc',
    name: env.OIDC_NAME ?? 'Single sign-on',
    type: 'oauth',
    wellKnown: `${issuer}/.well-known/openid-configuration`,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    authorization: { params: { scope: env.OIDC_SCOPES } },
    idToken: true,
    checks: ['pkce', 'state'],
    profile: (profile) => ({ id: profile.sub, name: profile.name ?? null, email: profile.email ?? null }),
  };
}

/**
 * `OIDC_ROLE_MAP=sec-leads:ADMIN,pam:PAM_APPROVER` → group → roles. Unknown
 * roles are a configuration error, reported at once rather than ignored.
 */
export function parseRoleMap(text: string | undefined): Map<string, Role[]> {
  const map = new Map<string, Role[]>();
  for (const pair of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const at = pair.lastIndexOf(':');
    const group = pair.slice(0, at).trim();
    const role = pair.slice(at + 1).trim() as Role;
    if (at <= 0 || !ROLES.includes(role)) {
      throw new Error(`OIDC_ROLE_MAP entry "${pair}" must be group:ROLE with ROLE one of ${ROLES.join(', ')}.`);
    }
    map.set(group, [...new Set([...(map.get(group) ?? []), role])]);
  }
  return map;
}

/** Roles from the configured claim, or null when roles are managed in Custodian. */
export function rolesFromClaims(profile: Record<string, unknown>): Role[] | null {
  const env = getEnv();
  if (!env.OIDC_ROLE_CLAIM || !env.OIDC_ROLE_MAP) return null;
  const map = parseRoleMap(env.OIDC_ROLE_MAP);
  const claim = profile[env.OIDC_ROLE_CLAIM];
  const groups = Array.isArray(claim) ? claim.map(String) : typeof claim === 'string' ? claim.split(/[\s,]+/) : [];
  const roles = new Set(groups.flatMap((g) => map.get(g) ?? []));
  return ROLES.filter((r) => roles.has(r));
}

export type OidcSignIn = { ok: true; userId: string } | { ok: false; userId: string | null; reason: string };

/** The person with this e-mail: exactly, else in any case when only one matches (provisioning keeps the IdP's case). */
async function personByEmail(tx: Tx, email: string) {
  const select = { id: true, roles: true, active: true } as const;
  const exact = await tx.user.findUnique({ where: { email }, select });
  if (exact) return exact;
  const any = await tx.user.findMany({ where: { email: { equals: email, mode: 'insensitive' } }, select, take: 2 });
  return any.length === 1 ? any[0]! : null;
}

/**
 * First sign-in creates the person (linked by subject, or by e-mail to a
 * person an admin created); roles follow the claim when one is mapped.
 */
export async function resolveOidcPerson(profile: OidcProfile, account: Account): Promise<OidcSignIn> {
  const mapped = rolesFromClaims(profile);
  return getDb().$transaction(async (tx) => {
    const linked = await tx.account.findUnique({
      where: {
        provider_providerAccountId: { provider: account.provider, providerAccountId: account.providerAccountId },
      },
      select: { user: { select: { id: true, roles: true, active: true } } },
    });
    const byEmail = !linked && profile.email ? await personByEmail(tx, profile.email) : null;
    const events: AuditEventInput[] = [];
    const system = { type: 'SYSTEM' as const, id: 'oidc' };
    // An e-mail links a sign-in to an existing person only when the provider vouches for it: otherwise anyone who
    // can set that address at some provider would borrow the account (and its roles).
    if (byEmail && profile.email_verified !== true) {
      await appendAuditEvents(tx, [
        {
          action: 'user.sign_in_refused',
          actor: system,
          details: { provider: 'oidc', reason: 'e-mail not verified by the provider: not linked', userId: byEmail.id },
        },
      ]);
      return { ok: false as const, userId: byEmail.id, reason: 'e-mail not verified by the provider' };
    }
    let person = linked?.user ?? byEmail;
    if (!person) {
      person = await tx.user.create({
        data: { name: profile.name ?? profile.email ?? profile.sub, email: profile.email ?? null, roles: mapped ?? [] },
        select: { id: true, roles: true, active: true },
      });
      for (const role of person.roles)
        events.push({ action: 'role.granted', actor: system, details: { userId: person.id, role } });
    } else if (person.active && mapped) {
      events.push(...(await followMappedRoles(tx, system, person, mapped)));
    }
    if (!linked) {
      await tx.account.create({
        data: {
          userId: person.id,
          type: account.type,
          provider: account.provider,
          providerAccountId: account.providerAccountId,
        },
      });
    }
    if (!person.active) {
      events.push({
        action: 'user.sign_in_refused',
        actor: { type: 'USER', id: person.id },
        details: { provider: 'oidc', reason: 'person is deactivated' },
      });
      await appendAuditEvents(tx, events);
      return { ok: false as const, userId: person.id, reason: 'person is deactivated' };
    }
    events.push({ action: 'user.signed_in', actor: { type: 'USER', id: person.id }, details: { provider: 'oidc' } });
    await appendAuditEvents(tx, events);
    return { ok: true as const, userId: person.id };
  });
}
