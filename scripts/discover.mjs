// `npm run discover -- vault-audit|aws-credential-report FILE [--apply] [--environment PROD] [--tier MEDIUM]
// [--exclude IDENTITY]... [--url URL]`: discovery from the command line, a thin client of the server's API. Without
// --apply it prints the dry run; with it, it imports exactly what the dry run showed (an identity that changed in
// between stops the import before anything is written). The token (scope discovery:import, reaching every agent)
// comes from CUSTODIAN_TOKEN, the URL from --url or CUSTODIAN_URL. Exits 1 when an identity is refused, 2 on a usage
// or HTTP error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { postApi } from './api-call.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    apply: { type: 'boolean', default: false },
    environment: { type: 'string', default: 'PROD' },
    tier: { type: 'string', default: 'MEDIUM' },
    exclude: { type: 'string', multiple: true, default: [] },
    url: { type: 'string' },
  },
});
const [source, file] = positionals;
const url = (values.url ?? process.env.CUSTODIAN_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const token = process.env.CUSTODIAN_TOKEN;
if (!['vault-audit', 'aws-credential-report'].includes(source ?? '') || !file || !token) {
  console.error(
    'Usage: npm run discover -- vault-audit|aws-credential-report FILE [--apply] [--environment PROD|STAGING|DEV] ' +
      '[--tier LOW|MEDIUM|HIGH|CRITICAL] [--exclude IDENTITY] [--url URL] (token in CUSTODIAN_TOKEN)',
  );
  process.exit(2);
}

const call = (path, body) => postApi(url, token, `/api/v1/discovery/${path}`, body);

const SIGN = { propose: '+', record: '~', unchanged: '=', person: 'p', refused: '!' };
const body = {
  source,
  file: readFileSync(file, 'utf8'),
  environment: values.environment.toUpperCase(),
  riskTier: values.tier.toUpperCase(),
  exclude: values.exclude,
};
const plan = await call('plan', body);
const excluded = new Set(values.exclude);
for (const row of plan.rows) {
  const out = excluded.has(row.identity) ? ' (left out)' : '';
  const agent = row.agent ? ` → ${row.agent.id ? '' : 'new agent '}${row.agent.slug}` : '';
  console.log(`${SIGN[row.action]} ${row.identity} (line ${row.line}): ${row.action}${agent}${out}`);
  if (row.requests) console.log(`    ${row.requests} uses, ${row.firstSeen} to ${row.lastSeen}`);
  if (row.seenOn.length) console.log(`    on ${row.seenOn.join(', ')}`);
  for (const c of row.credentials) console.log(`    credential ${c.name}${c.new ? ' (new)' : ''}`);
  if (row.action !== 'person')
    console.log(`    ${row.events.new} events to record, ${row.events.recorded} recorded before`);
  for (const r of row.reasons) console.log(`    ${row.action === 'refused' ? 'refused' : 'note'}: ${r}`);
  for (const n of row.notes) console.log(`    note: ${n}`);
}
const s = plan.summary;
console.log(
  `\n${plan.entries} entries: ${s.propose} to propose, ${s.record} to record on, ${s.unchanged} already recorded, ` +
    `${s.person} people, ${s.refused} refused.`,
);
for (const [why, n] of Object.entries(plan.skipped)) console.log(`  skipped ${n} ${why}`);
const refused = plan.rows.filter((r) => r.action === 'refused' && !excluded.has(r.identity));
if (values.apply) {
  if (refused.length > 0) {
    console.error('Refused identities: leave them out with --exclude, or fix the file. Nothing was imported.');
    process.exit(1);
  }
  const expect = Object.fromEntries(plan.rows.filter((r) => r.digest).map((r) => [r.identity, r.digest]));
  const done = await call('apply', { ...body, expect });
  console.log(
    `\nImported: ${done.proposed.length} agents proposed, ${done.credentials} custody records and ${done.events} ` +
      `events recorded.`,
  );
  for (const p of done.proposed) console.log(`  proposed ${p.slug}: ${url}/agents/${p.slug}`);
  if (done.findings) console.log(`${done.findings} findings are open on these agents: ${url}/findings`);
}
process.exit(refused.length > 0 ? 1 : 0);
