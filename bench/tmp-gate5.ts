import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { createToken } from '@/lib/tokens/commands';
import { authenticate } from '@/lib/tokens/bearer';
import { decideIssuance } from '@/lib/issuance/decide';
import { getSettings } from '@/lib/settings';
import { allowedAsk } from './issuance';
async function cpu(label: string, fn: () => Promise<unknown>, n = 200) {
  for (let i = 0; i < 10; i++) await fn();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0); const t = performance.now() - t0;
  console.log(label.padEnd(16), 'cpu ms/op', ((c.user + c.system) / 1000 / n).toFixed(2), 'wall ms/op', (t / n).toFixed(2));
}
runScript(async () => {
  const db = getDb();
  const admin = (await db.user.findFirst({ where: { active: true, roles: { has: 'ADMIN' } }, orderBy: { id: 'asc' }, select: { id: true, name: true, email: true, roles: true } }))!;
  const ask = await allowedAsk();
  const { token } = await createToken(admin, { name: `probe-${Date.now()}`, scopes: ['decisions:check'], expiresInDays: 1 });
  const req = () => new Request('http://x/api/v1/decisions', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  const actor = await authenticate(req(), 'decisions:check');
  await cpu('select1', () => db.$queryRaw`SELECT 1`);
  await cpu('settings', () => getSettings(db));
  await cpu('authenticate', () => authenticate(req(), 'decisions:check'));
  await cpu('decide', () => decideIssuance(ask, { record: true, token: actor }));
  return 0;
});
