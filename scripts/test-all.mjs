// `npm test`: lint, typecheck, Vitest (unit + integration) and Playwright
// (end to end), then one closing line `N passed, N failed, N skipped` summing
// every suite. Lint and typecheck count as one check each. Fails when any
// step fails or when no test ran.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const out = mkdtempSync(path.join(tmpdir(), 'custodian-test-'));
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
const rows = [];

function run(name, command, args, extraEnv = {}) {
  console.log(`\n━━ ${name} ━━`);
  const started = Date.now();
  const result = spawnSync(command, args, { stdio: 'inherit', env: { ...env, ...extraEnv } });
  return { ok: result.status === 0, seconds: ((Date.now() - started) / 1000).toFixed(1) };
}

function readJson(file) {
  try {
    return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
  } catch {
    return null;
  }
}

for (const [name, script] of [
  ['lint', 'lint'],
  ['typecheck', 'typecheck'],
]) {
  const { ok, seconds } = run(name, 'npm', ['run', '-s', script]);
  rows.push({ suite: name, passed: ok ? 1 : 0, failed: ok ? 0 : 1, skipped: 0, seconds });
}

const vitestJson = path.join(out, 'vitest.json');
const vitest = run('vitest', 'npx', ['--no-install', 'vitest', 'run'], { VITEST_JSON: vitestJson });
const v = readJson(vitestJson);
rows.push({
  suite: 'vitest',
  passed: v?.numPassedTests ?? 0,
  failed: (v?.numFailedTests ?? 0) + (vitest.ok ? 0 : v ? (v.numFailedTests ? 0 : 1) : 1),
  skipped: (v?.numPendingTests ?? 0) + (v?.numTodoTests ?? 0),
  seconds: vitest.seconds,
});

const playwrightJson = path.join(out, 'playwright.json');
const e2e = run('playwright', 'npx', ['--no-install', 'playwright', 'test'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson,
});
const p = readJson(playwrightJson)?.stats;
rows.push({
  suite: 'playwright',
  passed: (p?.expected ?? 0) + (p?.flaky ?? 0),
  failed: (p?.unexpected ?? 0) + (e2e.ok ? 0 : p ? (p.unexpected ? 0 : 1) : 1),
  skipped: p?.skipped ?? 0,
  seconds: e2e.seconds,
});

const total = rows.reduce(
  (sum, r) => ({ passed: sum.passed + r.passed, failed: sum.failed + r.failed, skipped: sum.skipped + r.skipped }),
  { passed: 0, failed: 0, skipped: 0 },
);
console.log('\n suite        passed  failed  skipped  seconds');
for (const r of rows) {
  console.log(
    ` ${r.suite.padEnd(12)} ${String(r.passed).padStart(6)}  ${String(r.failed).padStart(6)}  ` +
      `${String(r.skipped).padStart(7)}  ${r.seconds.padStart(7)}`,
  );
}
const testsRan = rows
  .filter((r) => r.suite === 'vitest' || r.suite === 'playwright')
  .some((r) => r.passed + r.failed > 0);
if (!testsRan) console.log('No test ran: that is a failure.');
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed === 0 && testsRan ? 0 : 1);
