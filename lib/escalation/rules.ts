import type { RiskTier } from '@/lib/generated/prisma/enums';

/** HIGH and CRITICAL agents are paged by someone named before they go into service. */
export const needsEscalation = (tier: RiskTier): boolean => tier === 'HIGH' || tier === 'CRITICAL';

/** What `reachable` reads of a contact. */
export const REACHABLE_SELECT = {
  email: true,
  phone: true,
  pagerUrl: true,
  user: { select: { active: true } },
} as const;

/** A contact someone can actually reach: an e-mail, a phone or a pager, or a person who is still active. */
export function reachable(
  contact: {
    email: string | null;
    phone: string | null;
    pagerUrl: string | null;
    user: { active: boolean } | null;
  } | null,
): boolean {
  return Boolean(contact && (contact.email || contact.phone || contact.pagerUrl || contact.user?.active));
}
