import autocannon from 'autocannon';
import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { createToken } from '@/lib/tokens/commands';
import { allowedAsk } from './issuance';
runScript(async () => {
  const admin = (await getDb().user.findFirst({ where: { active: true, roles: { has: 'ADMIN' } }, orderBy: { id: 'asc' }, select: { id: true, name: true, email: true, roles: true } }))!;
  const ask = await allowedAsk();
  const { token } = await createToken(admin, { name: `probe-${Date.now()}`, scopes: ['decisions:check'], expiresInDays: 1 });
  const r = await autocannon({ url: 'http://127.0.0.1:3200', requests: [{ method: 'POST', path: '/api/v1/decisions', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(ask) }], overallRate: Number(process.env.RATE ?? 100), duration: 10, connections: 10 });
  console.log('p50', r.latency.p50, 'p90', r.latency.p90, 'p99', r.latency.p99, 'non2xx', r.non2xx);
  return 0;
});
