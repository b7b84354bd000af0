import { describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden, Invalid } from '@/lib/authz';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { createPerson } from '@/lib/testing/people';
import { DEFAULT_SETTINGS, getSettings } from '.';
import { changeSetting } from './commands';

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

describe('changeSetting', () => {
  it('an ADMIN changes a section: validated, version-checked, audited with before and after', async () => {
    await getDb().setting.deleteMany();
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const cadence = { key: 'reviewCadenceDays', version: '0', LOW: '300', MEDIUM: '120', HIGH: '60', CRITICAL: '14' };
    await expect(changeSetting(owner, cadence)).rejects.toThrow(Forbidden);
    const before = await databaseFingerprint();
    await expect(changeSetting(admin, { ...cadence, HIGH: '0' })).rejects.toMatchObject({ fieldErrors: { HIGH: [expect.any(String)] } });
    await expect(changeSetting(admin, { key: 'reviewTiming', version: '0', leadDays: '7', triggeredDueDays: '14', timeZone: 'Mars/Olympus' })).rejects.toMatchObject({
      fieldErrors: { timeZone: ['Not a time zone this server knows (use an IANA name such as Europe/London).'] },
    });
    await expect(changeSetting(admin, { key: 'secrets', version: '0' })).rejects.toThrow(Invalid);
    expect(await databaseFingerprint()).toEqual(before);

    await expect(changeSetting(admin, cadence)).resolves.toMatch(/Saved/);
    expect((await getSettings(getDb())).reviewCadenceDays).toEqual({ LOW: 300, MEDIUM: 120, HIGH: 60, CRITICAL: 14 });
    await expect(changeSetting(admin, { ...cadence, HIGH: '45' })).rejects.toThrow(Conflict); // the form saw version 0
    await changeSetting(admin, { key: 'credentialRotationDays', version: '0', value: '30' });
    await changeSetting(admin, { key: 'reviewerRule', version: '0', ownerMayNotReviewTiers: ['CRITICAL'] });
    const settings = await getSettings(getDb());
    expect(settings.credentialRotationDays).toBe(30);
    expect(settings.reviewerRule.ownerMayNotReviewTiers).toEqual(['CRITICAL']);
    const [event] = await getDb().auditEvent.findMany({ where: { action: 'settings.changed' }, orderBy: { seq: 'asc' }, take: 1 });
    expect(event!.details).toMatchObject({ key: 'reviewCadenceDays', from: DEFAULT_SETTINGS.reviewCadenceDays, to: { HIGH: 60 } });
  });
});
