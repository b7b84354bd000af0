import 'server-only';
import type { Db, Tx } from '@/lib/db';
import { DEFAULT_SETTINGS, SettingsSchema, type Settings } from './schema';

/**
 * The policy in force: the stored sections over the defaults. A stored
 * section that no longer parses (an older shape) falls back to its default.
 */
export async function getSettings(db: Db | Tx): Promise<Settings> {
  const rows = await db.setting.findMany({ select: { key: true, value: true } });
  const merged: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const row of rows) {
    const section = SettingsSchema.shape[row.key as keyof Settings];
    if (!section) continue;
    const parsed = section.safeParse(row.value);
    if (parsed.success) merged[row.key] = parsed.data;
  }
  return SettingsSchema.parse(merged);
}
