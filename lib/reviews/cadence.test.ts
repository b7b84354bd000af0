import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '@/lib/settings';
import { cadenceDays, daysOverdue, dueAfter, nextScheduledDue } from './cadence';

const at = (iso: string) => new Date(iso);

describe('review cadence arithmetic', () => {
  it('falls due at the end of the local day, counted in calendar days', () => {
    expect(dueAfter(at('2026-06-10T09:00:00Z'), 30, 'UTC').toISOString()).toBe('2026-07-10T23:59:59.999Z');
    // New York is UTC-4 in summer: the end of the local day is 03:59:59.999 UTC the next day.
    expect(dueAfter(at('2026-06-10T09:00:00Z'), 30, 'America/New_York').toISOString()).toBe('2026-07-11T03:59:59.999Z');
  });

  it('counts from the local date, not the UTC date', () => {
    // 23:30 UTC on 31 Jan is already 1 Feb in Auckland (UTC+13): 1 Feb + 30 days = 3 Mar, end of day local.
    expect(dueAfter(at('2027-01-31T23:30:00Z'), 30, 'Pacific/Auckland').toISOString()).toBe('2027-03-03T10:59:59.999Z');
    // The same instant in Los Angeles is still 31 Jan: 31 Jan + 30 days = 2 Mar.
    expect(dueAfter(at('2027-01-31T23:30:00Z'), 30, 'America/Los_Angeles').toISOString()).toBe(
      '2027-03-03T07:59:59.999Z',
    );
  });

  it('handles month ends and leap years by adding days, never clamping to a month', () => {
    expect(dueAfter(at('2027-01-31T12:00:00Z'), 30, 'UTC').toISOString()).toBe('2027-03-02T23:59:59.999Z');
    // 2028 is a leap year
    expect(dueAfter(at('2028-01-31T12:00:00Z'), 30, 'UTC').toISOString()).toBe('2028-03-01T23:59:59.999Z');
    expect(dueAfter(at('2027-12-31T12:00:00Z'), 365, 'UTC').toISOString()).toBe('2028-12-30T23:59:59.999Z');
    expect(dueAfter(at('2026-08-31T12:00:00Z'), 30, 'UTC').toISOString()).toBe('2026-09-30T23:59:59.999Z');
  });

  it('keeps the local day across a daylight-saving change', () => {
    // London springs forward on 29 March 2026: 1 Mar (GMT) + 30 days = 31 Mar, which ends at 22:59:59.999 UTC (BST).
    expect(dueAfter(at('2026-03-01T10:00:00Z'), 30, 'Europe/London').toISOString()).toBe('2026-03-31T22:59:59.999Z');
    // And falls back on 25 October 2026: 1 Oct (BST) + 30 days = 31 Oct, ending 23:59:59.999 UTC (GMT).
    expect(dueAfter(at('2026-10-01T10:00:00Z'), 30, 'Europe/London').toISOString()).toBe('2026-10-31T23:59:59.999Z');
  });

  it('uses the agent override before the risk tier cadence', () => {
    expect(cadenceDays({ riskTier: 'CRITICAL', reviewCadenceDays: null }, DEFAULT_SETTINGS)).toBe(30);
    expect(cadenceDays({ riskTier: 'LOW', reviewCadenceDays: null }, DEFAULT_SETTINGS)).toBe(365);
    expect(cadenceDays({ riskTier: 'LOW', reviewCadenceDays: 7 }, DEFAULT_SETTINGS)).toBe(7);
    const settings = {
      ...DEFAULT_SETTINGS,
      reviewTiming: { ...DEFAULT_SETTINGS.reviewTiming, timeZone: 'Asia/Tokyo' },
    };
    // 20:00 UTC on 10 June is 11 June in Tokyo: + 90 days = 9 September, ending 14:59:59.999 UTC.
    expect(
      nextScheduledDue(
        { riskTier: 'HIGH', reviewCadenceDays: null },
        settings,
        at('2026-06-10T20:00:00Z'),
      ).toISOString(),
    ).toBe('2026-09-09T14:59:59.999Z');
  });

  it('counts days overdue in local days', () => {
    const due = at('2026-07-10T23:59:59.999Z');
    expect(daysOverdue(due, at('2026-07-10T12:00:00Z'), 'UTC')).toBe(0);
    expect(daysOverdue(due, at('2026-07-11T00:00:01Z'), 'UTC')).toBe(1);
    expect(daysOverdue(due, at('2026-07-20T08:00:00Z'), 'UTC')).toBe(10);
    // Local calendar days, across the spring change: due the end of 6 March in New York, now noon on 10 March.
    const ny = dueAfter(at('2026-03-01T12:00:00Z'), 5, 'America/New_York');
    expect(ny.toISOString()).toBe('2026-03-07T04:59:59.999Z');
    expect(daysOverdue(ny, at('2026-03-10T16:00:00Z'), 'America/New_York')).toBe(4);
    expect(daysOverdue(ny, at('2026-03-07T04:00:00Z'), 'America/New_York')).toBe(0);
    expect(daysOverdue(ny, at('2026-03-07T05:00:00Z'), 'America/New_York')).toBe(1);
  });
});
