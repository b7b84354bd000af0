import { Prisma } from '@/lib/generated/prisma/client';
import type { CredentialSettings } from './loosening';

// The rotation period a credential is held to. A period of its own tightens the policy's (credentialRotationDays);
// one longer than the policy's holds only where a security lead approved that very period (rotationApprovedDays).
// Otherwise stating the policy's period today would pin it: a lead tightening the policy later would not reach it,
// and a period stated by a report or at issue would loosen with nobody deciding.

type Periods = { rotationPeriodDays: number | null; rotationApprovedDays: number | null };

export function rotationDaysOf(c: Periods, policyDays: number): number {
  const stated = c.rotationPeriodDays;
  if (stated !== null && stated === c.rotationApprovedDays) return stated;
  return Math.min(stated ?? policyDays, policyDays);
}

/** rotationDaysOf in SQL, over the credential aliased `c`. */
export const rotationDaysSql = (policyDays: number) => Prisma.sql`(CASE
  WHEN c."rotationPeriodDays" = c."rotationApprovedDays" THEN c."rotationPeriodDays"
  ELSE least(coalesce(c."rotationPeriodDays", ${policyDays}::int), ${policyDays}::int) END)`;

/** A credential's settings with the rotation period it is held to: what an edit or a request is judged against. */
export function heldSettings<T extends CredentialSettings & Periods>(c: T, policyDays: number): T {
  return { ...c, rotationPeriodDays: rotationDaysOf(c, policyDays) };
}

/**
 * The approved period after `next` is written (undefined: unchanged). A loosening applied by a lead approves a period
 * longer than the policy's (one within it needs no approval, and approving it would pin it); a tightening within an
 * approved period keeps the approval at the shorter one; any other change clears it.
 */
export function approvedRotation(
  before: Periods,
  next: number | null,
  { loosened, policyDays }: { loosened: boolean; policyDays: number },
): number | null | undefined {
  const beyondPolicy = next !== null && next > policyDays;
  if (loosened) return beyondPolicy ? next : null;
  const within = before.rotationApprovedDays !== null && next !== null && next <= before.rotationApprovedDays;
  if (beyondPolicy && within) return next;
  // Any other change ends the approval: cleared, it cannot come back when the policy moves.
  return before.rotationApprovedDays === null ? undefined : null;
}
