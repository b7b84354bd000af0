import 'server-only';
import { z } from 'zod';
import { appendAuditEvent } from '@/lib/audit';
import { requirePermission, type Actor } from '@/lib/authz';
import { assertNoPendingRequest, openChangeRequest } from '@/lib/change-requests/commands';
import { getDb } from '@/lib/db';
import { Conflict, parseInput } from '@/lib/errors';
import type { Prisma } from '@/lib/generated/prisma/client';
import { readInput } from '@/lib/secrets/read-input';
import { getSettings } from './queries';
import { loosens, SETTING_KEYS, SettingsSchema, type SettingKey } from './schema';

const Envelope = z.object({
  key: z.enum(SETTING_KEYS, 'Unknown setting.'),
  // 0: the section still has its default (no row yet).
  version: z.coerce.number('The form is out of date: reload the page.').int().min(0),
});

/** A form's strings as the section's shape: whole numbers become numbers; a single-value section arrives as `value`. */
function sectionInput(key: SettingKey, input: Record<string, unknown>): unknown {
  const toNumber = (v: unknown) => (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : v);
  const shape = SettingsSchema.shape[key];
  if (!(shape instanceof z.ZodObject)) return toNumber(input.value);
  return Object.fromEntries(Object.keys(shape.shape).map((field) => [field, toNumber(input[field])]));
}

/**
 * An ADMIN changes one section of the policy, validated by its schema, version-checked and audited with before and
 * after.
 */
export async function changeSetting(actor: Actor | null, input: unknown): Promise<string> {
  requirePermission(actor, 'settings.write');
  const { key, version } = await readInput(Envelope, input, actor);
  const value = parseInput(SettingsSchema.shape[key], sectionInput(key, input as Record<string, unknown>));
  return getDb().$transaction(async (tx) => {
    // Serialise writers of this section; a missing row is created under the same lock.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`setting:${key}`}))`;
    const row = await tx.setting.findUnique({ where: { key }, select: { version: true } });
    if ((row?.version ?? 0) !== version)
      throw new Conflict('Someone else changed this setting. Reload the page to see their change, then try again.');
    const before = (await getSettings(tx))[key];
    if (JSON.stringify(before) === JSON.stringify(value)) return 'Nothing changed.';
    if (loosens(key, before, value)) {
      await assertNoPendingRequest(tx, { kind: 'SETTINGS_LOOSENING', settingKey: key });
      await openChangeRequest(tx, actor, {
        kind: 'SETTINGS_LOOSENING',
        settingKey: key,
        from: before as Prisma.InputJsonValue,
        to: value as Prisma.InputJsonValue,
        reason: `Loosen ${key}.`,
      });
      return 'Pending approval: this loosens the policy, so a second security lead applies it from Changes.';
    }
    await tx.setting.upsert({
      where: { key },
      create: { key, value, version: 1, updatedById: actor.id },
      update: { value, version: { increment: 1 }, updatedById: actor.id },
    });
    await appendAuditEvent(tx, {
      action: 'settings.changed',
      actor: { type: 'USER', id: actor.id },
      details: { key, from: before, to: value },
    });
    return 'Saved. The new policy applies from now on.';
  });
}
