import type { RiskTier } from '@/lib/generated/prisma/enums';

/** HIGH and CRITICAL agents are paged by someone named before they go into service. */
export const needsEscalation = (tier: RiskTier): boolean => tier === 'HIGH' || tier === 'CRITICAL';
