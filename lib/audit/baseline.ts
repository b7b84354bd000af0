import 'server-only';
import type { Db } from '@/lib/db';
import { DEFAULT_SETTINGS, SETTING_KEYS, type SettingKey } from '@/lib/settings';
import { appendAuditEvents } from './append';
import { registryDrift, tokenAsItStands, tokenRows, type Drift } from './drift';
import type { BaselineDetails } from './registry-actions';

/** Who records a baseline: the owner's command, never a request. */
export const BASELINE_ACTOR = { type: 'SYSTEM', id: 'audit:baseline' } as const;

export type Baseline = { recorded: false } | { recorded: true; seq: bigint; details: BaselineDetails; after: Drift[] };

/**
 * The owner's word that the registry as it stands is theirs (`npm run audit:baseline`): for a deployment whose people,
 * tokens or settings were made before their events were recorded (by hand, an older release, a bulk load), every row
 * the registry check cannot explain is recorded as it is now, in one `audit.baselined` event on the timeline, and
 * checked against from then on. It explains nothing silently: the event names each row, and the owner runs it only
 * after checking those rows by other means, as a change nobody made through Custodian looks the same.
 */
export async function recordRegistryBaseline(db: Db): Promise<Baseline> {
  const drift = await registryDrift(db, { all: true });
  const ids = (kind: Drift['kind']) => drift.filter((d) => d.kind === kind).map((d) => d.id);
  if (drift.length === 0) return { recorded: false };
  const { details, seq } = await db.$transaction(async (tx) => {
    // The rows as they are now, read in the transaction that records them.
    const people = await tx.user.findMany({
      where: { id: { in: ids('role') } },
      select: { id: true, name: true, roles: true },
      orderBy: { id: 'asc' },
    });
    const tokens = await tokenRows(tx, ids('token'));
    const keys = ids('setting') as SettingKey[];
    const stored = new Map(
      (await tx.setting.findMany({ where: { key: { in: keys } }, select: { key: true, value: true } })).map((r) => [
        r.key,
        r.value,
      ]),
    );
    const details: BaselineDetails = {
      roles: people.map((p) => ({ userId: p.id, name: p.name, roles: [...p.roles].sort() })),
      tokens: tokens.map(tokenAsItStands),
      settings: keys
        .filter((k) => SETTING_KEYS.includes(k))
        .map((key) => ({ key, value: stored.get(key) ?? DEFAULT_SETTINGS[key] })),
    };
    const [event] = await appendAuditEvents(tx, [{ action: 'audit.baselined', actor: BASELINE_ACTOR, details }]);
    return { details, seq: event!.seq };
  });
  return { recorded: true, seq, details, after: await registryDrift(db, { all: true }) };
}
