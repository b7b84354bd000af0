import { tz } from '@date-fns/tz';
import { addDays, endOfDay } from 'date-fns';
import type { RiskTier } from '@/lib/generated/prisma/enums';
import type { Settings } from '@/lib/settings';

/**
 * The end of the calendar day `days` days after `from`, in the organisation's
 * time zone. Counting calendar days (not 24-hour blocks) keeps a due date on
 * the same local day across daylight-saving changes; month ends need nothing
 * special because days, not months, are added (31 Jan + 30 days = 2 Mar).
 */
export function dueAfter(from: Date, days: number, timeZone: string): Date {
  const zone = tz(timeZone);
  return new Date(endOfDay(addDays(from, days, { in: zone }), { in: zone }).getTime());
}

/** Days between reviews for the agent: its own override, else its risk tier's cadence. */
export function cadenceDays(
  agent: { riskTier: RiskTier; reviewCadenceDays: number | null },
  settings: Settings,
): number {
  return agent.reviewCadenceDays ?? settings.reviewCadenceDays[agent.riskTier];
}

/** When the agent's next scheduled review falls due, counted from `from` (a completed review, or registration). */
export function nextScheduledDue(
  agent: { riskTier: RiskTier; reviewCadenceDays: number | null },
  settings: Settings,
  from: Date,
): Date {
  return dueAfter(from, cadenceDays(agent, settings), settings.reviewTiming.timeZone);
}

/** Whole local days by which `dueAt` has passed (0 on the due day itself or before). */
export function daysOverdue(dueAt: Date, now: Date, timeZone: string): number {
  if (now <= dueAt) return 0;
  // The two local calendar dates, each read as UTC midnight: their distance is a whole number of days.
  const days = (Date.parse(localDay(now, timeZone)) - Date.parse(localDay(dueAt, timeZone))) / 86_400_000;
  return Math.max(1, days);
}

// Making a formatter costs far more than using one, and a table shows a date per row: one per time zone, kept.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in the organisation's time zone: how due dates are shown. */
export function localDay(date: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  return format.format(date);
}
