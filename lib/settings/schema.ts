import { z } from 'zod';
import type { ExceptionType, RiskTier } from '@/lib/generated/prisma/enums';
import { FreeText } from '@/lib/secrets/free-text';
import { EXCEPTION_TYPE, RISK_TIER, valuesOf } from '@/lib/vocabulary';

// Settings are read on every API request, and constructing a formatter is the costliest step of reading them: the
// zones known are remembered (a few hundred exist, so the set stays small).
const knownZones = new Set<string>();

function isTimeZone(name: string): boolean {
  if (knownZones.has(name)) return true;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    knownZones.add(name);
    return true;
  } catch {
    return false;
  }
}

const hours = z
  .number()
  .int()
  .positive()
  .max(24 * 366);
const days = z.number().int().positive().max(3660);
const seconds = z
  .number()
  .int()
  .positive()
  .max(366 * 24 * 3600);
const timeZone = FreeText(64).pipe(
  z.string().refine(isTimeZone, 'Not a time zone this server knows (use an IANA name such as Europe/London).'),
);
const tiers = z.array(z.enum(valuesOf(RISK_TIER)));

/** One field per value of an enum: a new value changes the section's type, so its defaults stop compiling. */
function perValue<V extends string, S extends z.ZodType>(values: readonly V[], schema: S): z.ZodObject<Record<V, S>> {
  return z.object(Object.fromEntries(values.map((v) => [v, schema])) as Record<V, S>);
}

// Each section is one Setting row, keyed by the section's name.
export const SettingsSchema = z.object({
  /** The longest window an exception of each type may have. */
  exceptionMaxHours: perValue(valuesOf(EXCEPTION_TYPE), hours),
  /** How long a request of each type waits for its decision before it lapses. */
  exceptionLapseHours: perValue(valuesOf(EXCEPTION_TYPE), hours),
  /** Days between lifecycle reviews, by risk tier (an agent may override). */
  reviewCadenceDays: perValue(valuesOf(RISK_TIER), days),
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
    timeZone,
  }),
  /** Risk tiers whose reviewer must not be the agent's accountable owner. */
  reviewerRule: z.object({ ownerMayNotReviewTiers: tiers }),
  /** API tokens: their longest lifetime, and how old a reported event may be unless the token may backfill. */
  apiTokens: z.object({ maxDays: z.number().int().positive().max(366), eventWindowHours: hours }),
  /** The longest TTL the issuance gate allows, by the agent's risk tier (a credential's own maximum may be lower). */
  issuanceMaxTtlSeconds: perValue(valuesOf(RISK_TIER), seconds),
  /** Issuance decisions one API token may ask for each second (bursts of twice that). */
  decisionRatePerSecond: z.number().int().positive().max(100_000),
  /** Agent-to-agent delegation: the longest a grant lasts, and the most hops a chained decision may name. */
  delegation: z.object({ maxDays: z.number().int().positive().max(366), maxHops: z.number().int().min(1).max(20) }),
});

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingKey = keyof Settings;
export const SETTING_KEYS = Object.keys(SettingsSchema.shape) as [SettingKey, ...SettingKey[]];

const exceptionMaxHours: Record<ExceptionType, number> = {
  BREAK_GLASS: 4,
  PERSISTENT_TOKEN: 14 * 24,
  CACHED_SECRET: 7 * 24,
  BROAD_SCOPE: 7 * 24,
  OTHER: 7 * 24,
};
const reviewCadenceDays: Record<RiskTier, number> = { LOW: 365, MEDIUM: 180, HIGH: 90, CRITICAL: 30 };

const exceptionLapseHours: Record<ExceptionType, number> = {
  BREAK_GLASS: 4,
  PERSISTENT_TOKEN: 7 * 24,
  CACHED_SECRET: 7 * 24,
  BROAD_SCOPE: 7 * 24,
  OTHER: 7 * 24,
};

export const DEFAULT_SETTINGS: Settings = {
  exceptionMaxHours,
  exceptionLapseHours,
  reviewCadenceDays,
  credentialMaxTtlSeconds: { standard: 24 * 3600, privileged: 3600 },
  credentialRotationDays: 90,
  reviewTiming: { leadDays: 14, triggeredDueDays: 14, timeZone: 'UTC' },
  reviewerRule: { ownerMayNotReviewTiers: ['HIGH', 'CRITICAL'] },
  apiTokens: { maxDays: 90, eventWindowHours: 24 },
  issuanceMaxTtlSeconds: { LOW: 24 * 3600, MEDIUM: 8 * 3600, HIGH: 3600, CRITICAL: 900 },
  decisionRatePerSecond: 500,
  delegation: { maxDays: 30, maxHops: 5 },
};

/** Of two values of a field, the one that governs more tightly. */
type Stricter<T> = (a: T, b: T) => T;
const lower: Stricter<number> = (a, b) => Math.min(a, b);
const higher: Stricter<number> = (a, b) => Math.max(a, b);
const union: Stricter<RiskTier[]> = (a, b) => valuesOf(RISK_TIER).filter((t) => a.includes(t) || b.includes(t));
/** No order (a time zone): the last valid value, which is passed first. */
const first: Stricter<string> = (a) => a;
const each = <V extends string>(values: readonly V[], stricter: Stricter<number>) =>
  Object.fromEntries(values.map((v) => [v, stricter])) as Record<V, Stricter<number>>;

type SectionStricter<T> = T extends unknown[]
  ? Stricter<T>
  : T extends object
    ? { [F in keyof T]: Stricter<T[F]> }
    : Stricter<T>;

/**
 * Which way each threshold tightens: shorter windows, cadences and TTLs;
 * reviews opening earlier; more tiers under the reviewer rule. A key that
 * cannot be read falls back to the stricter of its default and its last
 * valid value, so a deploy never silently loosens a security lead's policy.
 */
export const STRICTER: { [K in SettingKey]: SectionStricter<Settings[K]> } = {
  exceptionMaxHours: each(valuesOf(EXCEPTION_TYPE), lower),
  exceptionLapseHours: each(valuesOf(EXCEPTION_TYPE), lower),
  reviewCadenceDays: each(valuesOf(RISK_TIER), lower),
  credentialMaxTtlSeconds: { standard: lower, privileged: lower },
  credentialRotationDays: lower,
  reviewTiming: { leadDays: higher, triggeredDueDays: lower, timeZone: first },
  reviewerRule: { ownerMayNotReviewTiers: union },
  apiTokens: { maxDays: lower, eventWindowHours: lower },
  issuanceMaxTtlSeconds: each(valuesOf(RISK_TIER), lower),
  decisionRatePerSecond: lower,
  delegation: { maxDays: lower, maxHops: lower },
};

/**
 * Whether a new value of a section loosens any of its thresholds (a longer
 * window or cadence, fewer tiers under the reviewer rule): then a second
 * security lead applies it. Tightening, or an unordered change (a time zone),
 * applies at once.
 */
export function loosens<K extends SettingKey>(key: K, before: Settings[K], after: Settings[K]): boolean {
  const stricter = STRICTER[key] as unknown;
  const looser = (rule: (a: unknown, b: unknown) => unknown, b: unknown, a: unknown) =>
    JSON.stringify(a) !== JSON.stringify(b) && JSON.stringify(rule(a, b)) !== JSON.stringify(a);
  if (typeof stricter === 'function') return looser(stricter as (a: unknown, b: unknown) => unknown, before, after);
  const rules = stricter as Record<string, (a: unknown, b: unknown) => unknown>;
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return Object.entries(rules).some(([field, rule]) => looser(rule, b[field], a[field]));
}
