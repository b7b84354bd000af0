import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { DEFAULT_SETTINGS, getSettings } from '.';

describe('getSettings', () => {
  it('returns the policy defaults of DESIGN.md on a fresh database', async () => {
    const settings = await getSettings(getDb());
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(settings.exceptionMaxHours).toEqual({
      BREAK_GLASS: 4,
      PERSISTENT_TOKEN: 336,
      CACHED_SECRET: 168,
      BROAD_SCOPE: 168,
      OTHER: 168,
    });
    expect(settings.reviewCadenceDays).toEqual({ CRITICAL: 30, HIGH: 90, MEDIUM: 180, LOW: 365 });
  });

  it('a stored section overrides its default; an unparseable one falls back', async () => {
    await getDb().setting.create({
      data: { key: 'reviewCadenceDays', value: { LOW: 400, MEDIUM: 200, HIGH: 60, CRITICAL: 14 } },
    });
    await getDb().setting.create({ data: { key: 'credentialRotationDays', value: 'ninety' } });
    const settings = await getSettings(getDb());
    expect(settings.reviewCadenceDays.CRITICAL).toBe(14);
    expect(settings.credentialRotationDays).toBe(DEFAULT_SETTINGS.credentialRotationDays);
    expect(settings.exceptionMaxHours).toEqual(DEFAULT_SETTINGS.exceptionMaxHours);
  });
});
