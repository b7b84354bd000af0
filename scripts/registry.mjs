// `npm run registry -- plan|apply FILE [--url URL] [--token TOKEN]`: the registry as code, a thin client. The server
// plans and applies (same rules as the console); this prints what it says. apply plans first and applies exactly
// that plan: an agent that changed in between is refused, not applied differently. The token (scope
// registry:write, reaching every agent) comes from --token or, better (it stays out of the process list),
// CUSTODIAN_TOKEN; the URL from --url or CUSTODIAN_URL. Exits 1 when an agent is refused, 2 on a usage or HTTP error.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { postApi } from './api-call.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { url: { type: 'string' }, token: { type: 'string' } },
});
const [command, file] = positionals;
const url = (values.url ?? process.env.CUSTODIAN_URL ?? 'http://localhost:3000').replace(/\/$/, '');
const token = values.token ?? process.env.CUSTODIAN_TOKEN;
if (!['plan', 'apply'].includes(command ?? '') || !file || !token) {
  console.error('Usage: npm run registry -- plan|apply custodian.yaml [--url URL] (token in CUSTODIAN_TOKEN)');
  process.exit(2);
}

const call = (path, body) => postApi(url, token, `/api/v1/registry/${path}`, body);

const SIGN = { create: '+', update: '~', unchanged: '=', 'needs-approval': '?', refused: '!' };

function print(result) {
  for (const agent of result.agents) {
    console.log(`${SIGN[agent.action]} ${agent.slug || '(no slug)'} (line ${agent.line}): ${agent.action}`);
    for (const c of agent.changes) {
      const from = c.from === null ? '' : `${JSON.stringify(c.from)} → `;
      console.log(`    ${c.field}: ${from}${JSON.stringify(c.to)}${c.approval ? ' (needs approval)' : ''}`);
    }
    for (const r of agent.reasons) console.log(`    ${agent.action === 'refused' ? 'refused' : 'note'}: ${r}`);
    for (const id of agent.changeRequestIds ?? []) console.log(`    change request opened: ${id}`);
  }
  const s = result.summary;
  console.log(
    `\n${s.create} to create, ${s.update} to update, ${s['needs-approval']} needing approval, ` +
      `${s.unchanged} unchanged, ${s.refused} refused.`,
  );
}

const text = readFileSync(file, 'utf8');
const plan = await call('plan', { file: text });
if (command === 'plan') {
  print(plan);
} else {
  const expect = Object.fromEntries(plan.agents.filter((a) => a.action !== 'refused').map((a) => [a.slug, a.digest]));
  print(await call('apply', { file: text, expect }));
}
process.exit(plan.summary.refused > 0 ? 1 : 0);
