// `npm run audit:baseline [-- --dry-run]`: records the rows no event mentions as the owner's (`audit.baselined` on the
// timeline), for a deployment whose people, API tokens or settings were made before their events were recorded: by
// hand, by an older release. Each is named in the event and checked against from then on. A row changed by an
// attacker can look the same as one made by hand: run it with --dry-run first, check each row it prints by other
// means (who holds ADMIN, which tokens exist), then run it again. Never recorded: rows that contradict their events
// (a token revived or given another hash, a role beyond its grants), and exceptions in force with no request (every
// release records one): put those back through Custodian.
import { parseArgs } from 'node:util';
import { recordRegistryBaseline } from '@/lib/audit/baseline';
import type { Drift } from '@/lib/audit/drift';
import { withOwnerDb } from '@/lib/db/owner';
import { runScript } from '@/lib/db/run-script';

// Names as JSON strings: a name planted in the database cannot rewrite the owner's terminal.
const line = (d: Drift) => `  ${d.kind.padEnd(9)} ${JSON.stringify(d.subject)} (${d.id}): ${d.problem}`;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean' } } });
  const dryRun = values['dry-run'] ?? false;
  return withOwnerDb(async (db) => {
    const baseline = await recordRegistryBaseline(db, { dryRun });
    if (baseline.rows.length === 0) console.log('Nothing to record: no row lacks the events that made it.');
    else {
      console.log(
        dryRun
          ? `Would record ${baseline.rows.length} row(s) no event mentions, as they stand (check each first):`
          : `Recorded ${baseline.rows.length} row(s) as they stand, as audit.baselined (event ${baseline.seq}):`,
      );
      for (const d of baseline.rows) console.log(line(d));
    }
    if (baseline.refused.length > 0) {
      console.error(
        `${baseline.refused.length} row(s) contradict their events and are not recorded: treat them as an incident ` +
          'and put each back through Custodian.',
      );
      for (const d of baseline.refused) console.error(line(d));
      return 1;
    }
    return 0;
  });
}

runScript(main);
