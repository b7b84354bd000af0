// `npm run audit:scan-secrets`: lists every field of the custody timeline the input guard would now refuse — where
// it is (event, field) and which rule matched, never the value — so a security lead can ask for its redaction
// (/timeline/redact?seq=N). Exits 1 when any is found, so it can gate a job.
import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { scanStoredSecrets } from '@/lib/redactions/scan';

async function main(): Promise<number> {
  const started = performance.now();
  const found = await scanStoredSecrets(getDb(), (seq, n) => {
    if (process.stderr.isTTY) process.stderr.write(`\rscanned through seq ${seq}, ${n} found`);
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (found.length === 0) {
    console.log(`No stored value looks like a secret (${seconds} s).`);
    return 0;
  }
  console.log(`${found.length} stored value(s) look like secrets (${seconds} s):`);
  for (const f of found) {
    const next = f.redactable
      ? `ask for its redaction: /timeline/redact?seq=${f.seq}`
      : 'predates chain format 2: cannot be redacted without breaking the chain';
    console.log(`  event ${f.seq} (${f.action}), field ${f.pointer}: ${f.ruleId} — ${next}`);
  }
  return 1;
}

runScript(main);
