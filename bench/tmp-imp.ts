import { getDb } from '@/lib/db';
import { runScript } from '@/lib/db/run-script';
import { importTimes } from './import';
runScript(async () => {
  const admin = await getDb().user.findFirstOrThrow({ where: { active: true, roles: { has: 'ADMIN' } }, select: { id: true, name: true, email: true, roles: true } });
  console.log(await importTimes(admin, Number(process.env.ROWS ?? 2000)));
  return 0;
});
