// `npm run audit:adopt`: signs the unsigned tail of the custody timeline as this deployment's, with the audit key, and
// records it on the timeline (`audit.adopted`). For a chain written before a signing key was configured: Custodian
// signs only over a head it signed itself, and trusts nothing on first use. Refused unless every hash, link and
// remaining signature holds; run it once, with the writers stopped, after checking the events by other means (a backup,
// an export) — the signature says "the owner vouches for these", not that they are what happened.
import { adoptUnsignedChain } from '@/lib/audit/adopt';
import { withOwnerDb } from '@/lib/db/owner';
import { runScript } from '@/lib/db/run-script';

async function main(): Promise<number> {
  return withOwnerDb(async (db) => {
    const outcome = await adoptUnsignedChain(db);
    if (!outcome.adopted) {
      console.log(`Nothing to adopt: the chain is signed through its head (seq ${outcome.headSeq}).`);
      return 0;
    }
    console.log(
      `Adopted events ${outcome.fromSeq} to ${outcome.throughSeq}: signed with the audit key and recorded as ` +
        'audit.adopted. npm run audit:verify now vouches for them.',
    );
    return 0;
  });
}

runScript(main);
