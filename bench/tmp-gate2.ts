import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { createToken } from '@/lib/tokens/commands';
import { authenticate } from '@/lib/tokens/bearer';
import { decideIssuance } from '@/lib/issuance/decide';
import { readInput } from '@/lib/secrets/read-input';
import { DecisionInputSchema } from '@/lib/issuance/schema';
import { readDecisionFacts } from '@/lib/issuance/facts';
import { allowedAsk } from './issuance';
async function t(label: string, fn: () => Promise<unknown>, n = 100) {
  for (let i = 0; i < 5; i++) await fn();
  const s: number[] = [];
  for (let i = 0; i < n; i++) { const a = performance.now(); await fn(); s.push(performance.now() - a); }
  s.sort((a, b) => a - b);
  console.log(label.padEnd(20), 'p50', s[n / 2]!.toFixed(2), 'p90', s[Math.floor(n * 0.9)]!.toFixed(2));
}
runScript(async () => {
  const admin = (await getDb().user.findFirst({ where: { active: true, roles: { has: 'ADMIN' } }, orderBy: { id: 'asc' }, select: { id: true, name: true, email: true, roles: true } }))!;
  const ask = await allowedAsk();
  const { token } = await createToken(admin, { name: `probe-${Date.now()}`, scopes: ['decisions:check'], expiresInDays: 1 });
  const req = () => new Request('http://x/api/v1/decisions', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const actor = await authenticate(req(), 'decisions:check');
  await t('authenticate', () => authenticate(req(), 'decisions:check'));
  await t('readInput', () => readInput(DecisionInputSchema, ask, { type: 'API_TOKEN', id: actor.id }));
  const { workloadIdentity, ...rest } = ask;
  await t('facts', () => readDecisionFacts(getDb(), { workloadIdentity }, rest));
  await t('tx noop', () => getDb().$transaction(async (tx) => tx.$queryRaw`SELECT 1`));
  await t('decide+record', () => decideIssuance(ask, { record: true, token: actor }));
  return 0;
});
