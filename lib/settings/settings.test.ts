import { describe, expect, it } from 'vitest';
import type { Actor } from '@/lib/authz';
import { decideChangeRequest } from '@/lib/change-requests/commands';
import { getDb } from '@/lib/db';
import { Conflict, Forbidden, Invalid } from '@/lib/errors';
import { databaseFingerprint } from '@/lib/testing/fingerprint';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { DEFAULT_SETTINGS, getSettings, readSettings } from '.';
import { changeSetting } from './commands';

/** A clean slate between cases: change requests are never deleted, except by the owner with the guard off. */
const forgetChangeRequests = () =>
  asOwner(
    'ALTER TABLE "ChangeRequest" DISABLE TRIGGER USER',
    'DELETE FROM "ChangeRequest"',
    'ALTER TABLE "ChangeRequest" ENABLE TRIGGER USER',
  );

/** A second security lead applies the pending loosening of a section that `requester` asked for. */
async function applyPending(requester: Actor, key: string) {
  const request = await getDb().changeRequest.findFirstOrThrow({
    where: { settingKey: key, status: 'PENDING', requestedById: requester.id },
  });
  await decideChangeRequest(await createPerson(['ADMIN']), {
    changeRequestId: request.id,
    version: request.version,
    outcome: 'APPROVE',
    reason: 'Second security lead agrees',
  });
}

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

  it('a stored section overrides its default; an unparseable scalar falls back to its default', async () => {
    await getDb().setting.deleteMany();
    await forgetChangeRequests();
    await getDb().setting.create({
      data: { key: 'reviewCadenceDays', value: { LOW: 400, MEDIUM: 200, HIGH: 60, CRITICAL: 14 } },
    });
    await getDb().setting.create({ data: { key: 'credentialRotationDays', value: 'ninety' } });
    const { settings, problems } = await readSettings(getDb());
    expect(settings.reviewCadenceDays.CRITICAL).toBe(14);
    expect(settings.credentialRotationDays).toBe(DEFAULT_SETTINGS.credentialRotationDays);
    expect(settings.exceptionMaxHours).toEqual(DEFAULT_SETTINGS.exceptionMaxHours);
    expect(problems).toEqual([
      { key: 'credentialRotationDays', field: null, inForce: 90, reason: 'The stored value cannot be read.' },
    ]);
  });

  it('a stored section with one unreadable key keeps every other customised value', async () => {
    await getDb().setting.deleteMany();
    await forgetChangeRequests();
    // A security lead customised every break-glass-to-other maximum; a later deploy cannot read one of them.
    await getDb().setting.create({
      data: {
        key: 'exceptionMaxHours',
        value: { BREAK_GLASS: 2, PERSISTENT_TOKEN: 'forever', CACHED_SECRET: 48, BROAD_SCOPE: 24, OTHER: 12 },
      },
    });
    const { settings, problems } = await readSettings(getDb());
    expect(settings.exceptionMaxHours).toEqual({
      BREAK_GLASS: 2,
      PERSISTENT_TOKEN: DEFAULT_SETTINGS.exceptionMaxHours.PERSISTENT_TOKEN,
      CACHED_SECRET: 48,
      BROAD_SCOPE: 24,
      OTHER: 12,
    });
    expect(problems).toEqual([
      {
        key: 'exceptionMaxHours',
        field: 'PERSISTENT_TOKEN',
        inForce: DEFAULT_SETTINGS.exceptionMaxHours.PERSISTENT_TOKEN,
        reason: 'The stored value cannot be read.',
      },
    ]);
  });

  it('an unreadable key takes the stricter of its default and its last valid value, never a looser one', async () => {
    await getDb().setting.deleteMany();
    await forgetChangeRequests();
    const admin = await createPerson(['ADMIN']);
    const base = { key: 'exceptionMaxHours', BREAK_GLASS: '4', CACHED_SECRET: '168', BROAD_SCOPE: '168', OTHER: '168' };
    // Last valid persistent-token maximum: 48 h (stricter than the 336 h default).
    await changeSetting(admin, { ...base, version: '0', PERSISTENT_TOKEN: '48' });
    // Then the lead tightened break-glass; meanwhile the stored row is damaged for persistent tokens.
    await changeSetting(admin, { ...base, version: '1', BREAK_GLASS: '2', PERSISTENT_TOKEN: '48' });
    await getDb().setting.update({
      where: { key: 'exceptionMaxHours' },
      data: { value: { BREAK_GLASS: 2, PERSISTENT_TOKEN: -1, CACHED_SECRET: 168, BROAD_SCOPE: 168, OTHER: 168 } },
    });
    const { settings, problems } = await readSettings(getDb());
    expect(settings.exceptionMaxHours.BREAK_GLASS).toBe(2);
    expect(settings.exceptionMaxHours.PERSISTENT_TOKEN).toBe(48); // not the looser default of 336
    expect(problems.map((p) => [p.field, p.inForce])).toEqual([['PERSISTENT_TOKEN', 48]]);

    // A last valid value looser than the default does not win either: the default (stricter) does.
    await getDb().setting.deleteMany();
    await forgetChangeRequests();
    await changeSetting(admin, { key: 'reviewerRule', version: '0', ownerMayNotReviewTiers: ['CRITICAL'] });
    await applyPending(admin, 'reviewerRule'); // fewer tiers under the reviewer rule: a second lead applies it
    await getDb().setting.update({
      where: { key: 'reviewerRule' },
      data: { value: { ownerMayNotReviewTiers: 'none' } },
    });
    const again = await readSettings(getDb());
    expect(again.settings.reviewerRule.ownerMayNotReviewTiers).toEqual(['HIGH', 'CRITICAL']);
  });
});

describe('changeSetting', () => {
  it('an ADMIN changes a section: validated, version-checked, audited with before and after', async () => {
    await getDb().setting.deleteMany();
    await forgetChangeRequests();
    const admin = await createPerson(['ADMIN']);
    const owner = await createPerson(['OWNER']);
    const cadence = { key: 'reviewCadenceDays', version: '0', LOW: '300', MEDIUM: '120', HIGH: '60', CRITICAL: '14' };
    await expect(changeSetting(owner, cadence)).rejects.toThrow(Forbidden);
    const before = await databaseFingerprint();
    await expect(changeSetting(admin, { ...cadence, HIGH: '0' })).rejects.toMatchObject({
      fieldErrors: { HIGH: [expect.any(String)] },
    });
    await expect(
      changeSetting(admin, {
        key: 'reviewTiming',
        version: '0',
        leadDays: '7',
        triggeredDueDays: '14',
        timeZone: 'Mars/Olympus',
      }),
    ).rejects.toMatchObject({
      fieldErrors: { timeZone: ['Not a time zone this server knows (use an IANA name such as Europe/London).'] },
    });
    await expect(changeSetting(admin, { key: 'secrets', version: '0' })).rejects.toThrow(Invalid);
    expect(await databaseFingerprint()).toEqual(before);

    await expect(changeSetting(admin, cadence)).resolves.toMatch(/Saved/);
    expect((await getSettings(getDb())).reviewCadenceDays).toEqual({ LOW: 300, MEDIUM: 120, HIGH: 60, CRITICAL: 14 });
    await expect(changeSetting(admin, { ...cadence, HIGH: '45' })).rejects.toThrow(Conflict); // the form saw version 0
    await changeSetting(admin, { key: 'credentialRotationDays', version: '0', value: '30' });
    expect(
      await changeSetting(admin, { key: 'reviewerRule', version: '0', ownerMayNotReviewTiers: ['CRITICAL'] }),
    ).toMatch(/Pending approval/);
    await applyPending(admin, 'reviewerRule');
    const settings = await getSettings(getDb());
    expect(settings.credentialRotationDays).toBe(30);
    expect(settings.reviewerRule.ownerMayNotReviewTiers).toEqual(['CRITICAL']);
    const [event] = await getDb().auditEvent.findMany({
      where: { action: 'settings.changed', details: { path: ['key'], equals: 'reviewCadenceDays' } },
      orderBy: { seq: 'asc' },
      take: 1,
    });
    expect(event!.details).toMatchObject({
      key: 'reviewCadenceDays',
      from: DEFAULT_SETTINGS.reviewCadenceDays,
      to: { HIGH: 60 },
    });
  });
});
