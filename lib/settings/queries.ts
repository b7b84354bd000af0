import 'server-only';
import { cache } from 'react';
import { z } from 'zod';
import { requirePermission, type Actor } from '@/lib/authz';
import { getDb, type Db, type Tx } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { DEFAULT_SETTINGS, SETTING_KEYS, SettingsSchema, STRICTER, type SettingKey, type Settings } from './schema';

/** A stored key that no longer reads, and the value in force instead. */
export type SettingProblem = { key: SettingKey; field: string | null; inForce: unknown; reason: string };

const HISTORY_DEPTH = 50;

/** A stored section, as read. */
export type StoredSetting = { key: string; value: unknown };

/** The stored sections as one JSON column, for a statement that reads the policy with what it reads. */
export const storedSettingsJson = Prisma.sql`(SELECT coalesce(json_agg(json_build_object('key', s."key",
  'value', s."value")), '[]') FROM "Setting" s)`;

type FieldReader = { schema: z.ZodType; stricter: (a: unknown, b: unknown) => unknown };

/** Each readable unit of a section: its fields (an object section) or the section itself (a scalar or a list). */
function fieldsOf(key: SettingKey): Record<string, FieldReader> | null {
  const schema = SettingsSchema.shape[key];
  if (!(schema instanceof z.ZodObject)) return null;
  const stricter = STRICTER[key] as unknown as Record<string, FieldReader['stricter']>;
  return Object.fromEntries(
    Object.entries(schema.shape as Record<string, z.ZodType>).map(([field, fieldSchema]) => [
      field,
      { schema: fieldSchema, stricter: stricter[field]! },
    ]),
  );
}

/** The values this section was set to, newest first, from its `settings.changed` events (index on action, seq). */
async function historyOf(db: Db | Tx, key: SettingKey): Promise<unknown[]> {
  const events = await db.auditEvent.findMany({
    where: { action: 'settings.changed', details: { path: ['key'], equals: key } },
    orderBy: { seq: 'desc' },
    take: HISTORY_DEPTH,
    select: { details: true },
  });
  return events.map((e) => (e.details as { to?: unknown } | null)?.to);
}

/**
 * The policy in force with what could not be read: each stored section over
 * its default, merged key by key. A stored section that no longer parses
 * keeps every value that still does; a key that cannot be read takes the
 * stricter of its default and its last valid value (from the timeline), and
 * is reported so the settings page can flag it.
 */
export async function readSettings(
  db: Db | Tx,
  /** The stored rows, when the caller read them in its own statement (storedSettingsJson). */
  stored?: StoredSetting[],
): Promise<{ settings: Settings; problems: SettingProblem[] }> {
  // Read by every decision and API request: a raw statement, not a model query.
  const rows = stored ?? (await db.$queryRaw<StoredSetting[]>`SELECT "key", "value" FROM "Setting"`);
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  const problems: SettingProblem[] = [];
  for (const row of rows) {
    if (!(SETTING_KEYS as string[]).includes(row.key)) continue;
    const key = row.key as SettingKey;
    const whole = SettingsSchema.shape[key].safeParse(row.value);
    if (whole.success) {
      merged[key] = whole.data;
      continue;
    }
    const history = await historyOf(db, key);
    const fields = fieldsOf(key);
    if (!fields) {
      const stricter = STRICTER[key] as unknown as FieldReader['stricter'];
      const lastValid = history.find((value) => SettingsSchema.shape[key].safeParse(value).success);
      const inForce = lastValid === undefined ? DEFAULT_SETTINGS[key] : stricter(lastValid, DEFAULT_SETTINGS[key]);
      merged[key] = inForce;
      problems.push({ key, field: null, inForce, reason: 'The stored value cannot be read.' });
      continue;
    }
    const stored = (row.value && typeof row.value === 'object' ? row.value : {}) as Record<string, unknown>;
    const defaults = DEFAULT_SETTINGS[key] as Record<string, unknown>;
    const section: Record<string, unknown> = {};
    for (const [field, reader] of Object.entries(fields)) {
      const parsed = reader.schema.safeParse(stored[field]);
      if (parsed.success) {
        section[field] = parsed.data;
        continue;
      }
      const lastValid = history
        .map((value) => (value && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined))
        .find((value) => value !== undefined && reader.schema.safeParse(value).success);
      const inForce = lastValid === undefined ? defaults[field] : reader.stricter(lastValid, defaults[field]);
      section[field] = inForce;
      problems.push({
        key,
        field,
        inForce,
        reason: stored[field] === undefined ? 'The stored value is missing.' : 'The stored value cannot be read.',
      });
    }
    merged[key] = section;
  }
  return { settings: SettingsSchema.parse(merged), problems };
}

/** The policy in force (see readSettings). */
export async function getSettings(db: Db | Tx, stored?: StoredSetting[]): Promise<Settings> {
  return (await readSettings(db, stored)).settings;
}

/**
 * The policy in force, for pages: every role may read it (settings.read is universal). Read once per request (a
 * page's layout and its sections each ask); decisions and writes read it themselves, in their transaction.
 */
export const getPolicy = cache((): Promise<Settings> => getSettings(getDb()));

/** The settings page: the policy in force, what could not be read, and each section's version for its form. */
export async function getSettingsPage(actor: Actor) {
  requirePermission(actor, 'settings.read');
  const db = getDb();
  const [{ settings, problems }, rows] = await Promise.all([
    readSettings(db),
    db.setting.findMany({ select: { key: true, version: true } }),
  ]);
  const versions = Object.fromEntries(rows.map((r) => [r.key, r.version])) as Partial<Record<SettingKey, number>>;
  return { settings, problems, versions };
}
