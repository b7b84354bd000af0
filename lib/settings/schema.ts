import { z } from 'zod';

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const hours = z.number().int().positive().max(24 * 366);
const days = z.number().int().positive().max(3660);
const seconds = z.number().int().positive().max(366 * 24 * 3600);

// Each section is one Setting row, keyed by the section's name.
export const SettingsSchema = z.object({
  /** The longest window an exception of each type may have. */
  exceptionMaxHours: z.object({
    BREAK_GLASS: hours,
    PERSISTENT_TOKEN: hours,
    CACHED_SECRET: hours,
    BROAD_SCOPE: hours,
    OTHER: hours,
  }),
  /** Days between lifecycle reviews, by risk tier (an agent may override). */
  reviewCadenceDays: z.object({ LOW: days, MEDIUM: days, HIGH: days, CRITICAL: days }),
  /** The longest time-to-live a credential may have. */
  credentialMaxTtlSeconds: z.object({ standard: seconds, privileged: seconds }),
  /** Rotation period assumed for a static credential that states none. */
  credentialRotationDays: days,
  /** When reviews open and fall due. Due dates fall at the end of a day in the organisation's time zone. */
  reviewTiming: z.object({
    /** Days ahead of its due date that a scheduled review opens. */
    leadDays: days,
    /** Days a review opened by a change has before it is due. */
    triggeredDueDays: days,
    timeZone: z.string().refine(isTimeZone, 'Not a time zone this server knows (use an IANA name such as Europe/London).'),
  }),
  /** Risk tiers whose reviewer must not be the agent's accountable owner. */
  reviewerRule: z.object({
    ownerMayNotReviewTiers: z.array(z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'])),
  }),
});

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as [SettingKey, ...SettingKey[]];

export const DEFAULT_SETTINGS: Settings = {
  exceptionMaxHours: {
    BREAK_GLASS: 4,
    PERSISTENT_TOKEN: 14 * 24,
    CACHED_SECRET: 7 * 24,
    BROAD_SCOPE: 7 * 24,
    OTHER: 7 * 24,
  },
  reviewCadenceDays: { LOW: 365, MEDIUM: 180, HIGH: 90, CRITICAL: 30 },
  credentialMaxTtlSeconds: { standard: 24 * 3600, privileged: 3600 },
  credentialRotationDays: 90,
  reviewTiming: { leadDays: 14, triggeredDueDays: 14, timeZone: 'UTC' },
  reviewerRule: { ownerMayNotReviewTiers: ['HIGH', 'CRITICAL'] },
};
