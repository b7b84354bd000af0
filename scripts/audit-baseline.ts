// `npm run audit:baseline`: records the registry as it stands as the owner's (`audit.baselined` on the timeline), for
// a deployment whose people, API tokens or settings were made before their events were recorded: by hand, by an
// older release, by a bulk load. Every row the registry check cannot explain is named in the event and checked
// against from then on. A row changed by an attacker looks the same as one made by hand: check each row it prints by
// other means first (who holds ADMIN, which tokens exist), as the event says the owner vouches for them.
import { recordRegistryBaseline } from '@/lib/audit/baseline';
import { withOwnerDb } from '@/lib/db/owner';
import { runScript } from '@/lib/db/run-script';

async function main(): Promise<number> {
  return withOwnerDb(async (db) => {
    const baseline = await recordRegistryBaseline(db);
    if (!baseline.recorded) {
      console.log('Nothing to record: every role, API token and setting matches the events that made it.');
      return 0;
    }
    const { roles = [], tokens = [], settings = [] } = baseline.details;
    console.log(`Recorded as audit.baselined (event ${baseline.seq}):`);
    for (const r of roles)
      console.log(`  role    ${r.name ?? r.userId} (${r.userId}): ${r.roles.join(', ') || 'none'}`);
    for (const t of tokens) console.log(`  token   ${t.name} (${t.tokenId}): ${t.scopes?.join(', ')}; ${t.reach}`);
    for (const s of settings) console.log(`  setting ${s.key}: ${JSON.stringify(s.value)}`);
    if (baseline.after.length > 0) {
      // Credited only once signed: an unsigned head (no key here, or a tail to adopt) leaves the event uncredited.
      console.error(
        `${baseline.after.length} row(s) still show: the event is not signed by a trusted key. Configure ` +
          'AUDIT_SIGNING_KEY (and run npm run audit:adopt for an unsigned tail), then run this again.',
      );
      return 1;
    }
    return 0;
  });
}

runScript(main);
