// The console's bulk import at 10,000 rows: the CSV read, the dry run (secret scan and plan) and the apply in
// batches of 500, timed apart. Each run registers 10,000 new agents (slugs bench-import-<time>-N) with an owner and
// three control owners taken from the dataset's people: the timeline is append-only, so they stay.
import type { Actor } from '@/lib/authz';
import { getDb } from '@/lib/db';
import { importEntries, planRegistry } from '@/lib/registry/apply';
import { CSV_COLUMNS, readAgentsCsv } from '@/lib/registry/spec';

export async function importTimes(actor: Actor, rows = 10_000): Promise<Record<string, number>> {
  const people = await getDb().user.findMany({
    where: { active: true, email: { not: null } },
    select: { email: true },
    orderBy: { id: 'asc' },
    take: 4,
  });
  if (people.length < 4) throw new Error('The import bench needs four active people with e-mails.');
  const [owner, iam, pam, platform] = people.map((p) => p.email!);
  const prefix = `bench-import-${Date.now().toString(36)}`;
  const lines = [CSV_COLUMNS.join(',')];
  for (let i = 0; i < rows; i++) {
    lines.push(
      [
        `${prefix}-${i}`,
        `Imported agent ${i}`,
        'Agent registered by the import benchmark',
        'CI agent',
        'Development;Staging',
        ['Low', 'Medium', 'High'][i % 3],
        `spiffe://bench.example.com/import/${prefix}-${i}`,
        '',
        owner,
        iam,
        pam,
        platform,
      ].join(','),
    );
  }
  const csv = lines.join('\r\n');
  const times: Record<string, number> = {};
  let started = performance.now();
  const entries = readAgentsCsv(csv);
  times['import: read the CSV (s)'] = (performance.now() - started) / 1000;
  started = performance.now();
  const plan = await planRegistry(actor, entries);
  times['import: dry run (s)'] = (performance.now() - started) / 1000;
  if (plan.some((p) => p.action !== 'create')) throw new Error('The import bench expected every row to be created.');
  started = performance.now();
  await importEntries(actor, entries);
  times['import: apply (s)'] = (performance.now() - started) / 1000;
  times[`import of ${rows.toLocaleString('en')} agents from CSV, total (s)`] = Object.values(times).reduce(
    (a, b) => a + b,
    0,
  );
  for (const k of Object.keys(times)) times[k] = Math.round(times[k]! * 10) / 10;
  return times;
}
