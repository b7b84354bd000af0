import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { createToken } from '@/lib/tokens/commands';
import { allowedAsk } from './issuance';
runScript(async () => {
  const admin = (await getDb().user.findFirst({ where: { active: true, roles: { has: 'ADMIN' } }, orderBy: { id: 'asc' }, select: { id: true, name: true, email: true, roles: true } }))!;
  const ask = await allowedAsk();
  const { token } = await createToken(admin, { name: `probe-${Date.now()}`, scopes: ['decisions:check'], expiresInDays: 1 });
  const times: number[] = [];
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    const r = await fetch('http://127.0.0.1:3200/api/v1/decisions', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(ask) });
    await r.text();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log('sequential p50', times[100]!.toFixed(1), 'p90', times[180]!.toFixed(1), 'p99', times[198]!.toFixed(1));
  return 0;
});
