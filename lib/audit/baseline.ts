import 'server-only';
import type { Db } from '@/lib/db';
import { Invalid } from '@/lib/errors';
import { DEFAULT_SETTINGS, SETTING_KEYS, type SettingKey } from '@/lib/settings';
import { appendAuditEvents, lockChainHead } from './append';
import { agentAsItStands, agentRows, credentialAsItStands, credentialRows } from './custody-drift';
import { registryCheckIn, tokenAsItStands, tokenRows, type Drift } from './drift';
import { exceptionAsItStands, exceptionsInForce } from './exception-drift';
import { purposeAsItStands, purposeRows } from './purpose-drift';
import type { BaselineDetails } from './registry-actions';
import { lastSignedSeq } from './registry-events';
import { reviewAsItStands, reviewRows } from './review-drift';

/** Who records a baseline: the owner's command, never a request. */
export const BASELINE_ACTOR = { type: 'SYSTEM', id: 'audit:baseline' } as const;

export type Baseline = {
  /** The rows no event mentions: recorded (or, on a dry run, those that would be). */
  rows: Drift[];
  /** The rows that contradict their record: never vouched for, put back through Custodian. */
  refused: Drift[];
  /** The event that records them, when one was written. */
  seq: bigint | null;
  details: BaselineDetails | null;
};

/**
 * The owner's word that the rows no event mentions are theirs (`npm run audit:baseline`): for a deployment whose
 * people, tokens, settings, exceptions, credentials, agents or purposes were made before their events were recorded
 * (by hand, an older release, a bulk load). Each is recorded as it stands in one `audit.baselined` event that names it,
 * and checked against from then on. A row whose events say otherwise (a token revived or given another hash, a role
 * beyond its grants, an exception lengthened, a credential loosened) is never vouched for: that is a change to put
 * back. Runs under the chain head's lock, so what it reads is what the event follows, and only over a head Custodian
 * signed (an event after an unsigned head would not be credited, and the unsigned tail is verification's to name).
 */
export async function recordRegistryBaseline(
  db: Db,
  options: { dryRun?: boolean; only?: (d: Drift) => boolean; bulkLoad?: boolean } = {},
): Promise<Baseline> {
  // Every release has recorded an exception's request, so one in force with none was made by hand: vouched for only
  // for a bulk load that copied its exceptions in (the scale loader), never by the owner's command.
  const vouchable = (d: Drift) => d.unrecorded && (d.kind !== 'exception' || options.bulkLoad === true);
  return db.$transaction(
    async (tx) => {
      const [head] = await lockChainHead(tx);
      const signed = await lastSignedSeq(tx);
      if (head && signed !== null && signed < head.seq) {
        throw new Invalid(
          `The chain head (seq ${head.seq}) is not signed by a trusted key: events were written around Custodian's ` +
            'signing. Run npm run audit:verify and deal with that first; a baseline after it would not count.',
        );
      }
      const { drift } = await registryCheckIn(tx, { walk: false });
      const rows = drift.filter((d) => vouchable(d) && (options.only?.(d) ?? true));
      const refused = drift.filter((d) => !vouchable(d));
      if (rows.length === 0 || options.dryRun) return { rows, refused, seq: null, details: null };
      const ids = (kind: Drift['kind']) => rows.filter((d) => d.kind === kind).map((d) => d.id);
      const people = await tx.user.findMany({
        where: { id: { in: ids('role') } },
        select: { id: true, roles: true },
        orderBy: { id: 'asc' },
      });
      const keys = ids('setting').filter((k): k is SettingKey => (SETTING_KEYS as string[]).includes(k));
      const stored = new Map(
        (await tx.setting.findMany({ where: { key: { in: keys } }, select: { key: true, value: true } })).map((r) => [
          r.key,
          r.value,
        ]),
      );
      const details: BaselineDetails = {
        roles: people.map((p) => ({ userId: p.id, roles: [...p.roles].sort() })),
        tokens: (await tokenRows(tx, ids('token'))).map(tokenAsItStands),
        settings: keys.map((key) => ({ key, value: stored.get(key) ?? DEFAULT_SETTINGS[key] })),
        exceptions: (await exceptionsInForce(tx, ids('exception'))).map(exceptionAsItStands),
        credentials: (await credentialRows(tx, ids('credential'))).map(credentialAsItStands),
        agents: (await agentRows(tx, ids('agent'))).map(agentAsItStands),
        purposes: (await purposeRows(tx, ids('purpose'))).map(purposeAsItStands),
        reviews: (await reviewRows(tx, ids('review'))).map(reviewAsItStands),
      };
      const [event] = await appendAuditEvents(tx, [{ action: 'audit.baselined', actor: BASELINE_ACTOR, details }]);
      return { rows, refused, seq: event!.seq, details };
    },
    // The whole registry is read under the head's lock: every append waits for it (minutes at 10M events, so it is an
    // owner's command, run rarely: after an upgrade, or a bulk load).
    { timeout: 15 * 60_000 },
  );
}
