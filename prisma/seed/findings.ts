// The findings trend: today's findings recorded by the real sync, and — as
// demo data, like the rest of the seed — ninety days of history before it,
// drifting down towards today's counts so the chart has a story to tell.
import type { Db } from '@/lib/db';
import { RULES } from '@/lib/policy/rules';
import { syncFindings } from '@/lib/policy/trend';
import { seededRandom } from './random';

export async function seedFindingHistory(db: Db, now: Date): Promise<void> {
  await syncFindings(db, now);
  const today = await db.findingDaily.findMany({
    where: { day: new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`) },
  });
  const rand = seededRandom(90);
  const rows = [];
  for (const rule of RULES) {
    let open = today.find((r) => r.ruleId === rule.id)?.open ?? 0;
    for (let back = 1; back < 90; back++) {
      const opened = rand.chance(0.15) ? rand.int(0, 2) : 0;
      const closed = rand.chance(0.2) ? rand.int(0, 2) : 0;
      const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - back));
      rows.push({ day, ruleId: rule.id, opened, closed, open });
      open = Math.max(0, open - opened + closed);
    }
  }
  await db.findingDaily.createMany({ data: rows, skipDuplicates: true });
}
