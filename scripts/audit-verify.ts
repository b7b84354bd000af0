// `npm run audit:verify`: walks the custody timeline and prints whether it is
// intact; exits 1 naming the first broken seq if not.
import { verifyAuditChain } from '@/lib/audit';
import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';

async function main(): Promise<number> {
  const started = performance.now();
  const result = await verifyAuditChain(getDb());
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (result.ok) {
    console.log(
      `Audit chain verified: ${result.eventCount} events, seq 1 to ${result.verifiedThroughSeq}, ` +
        `head hash ${result.headHash} (${seconds} s).`,
    );
    return 0;
  }
  console.error(`Audit chain BROKEN at seq ${result.brokenSeq}: ${result.reason}.`);
  console.error(`Events up to seq ${result.verifiedThroughSeq} verify.`);
  return 1;
}

runScript(main);
