import { Prisma } from '@/lib/generated/prisma/client';

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
