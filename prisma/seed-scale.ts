// `npm run db:seed:scale -- --agents 100000 --events 10000000`: a synthetic
// organisation for benchmarks, bulk-loaded with COPY into the PostgreSQL
// server at DATABASE_URL (migrate it first). Idempotent: a second run to a
// bigger size adds only the difference. Events are chained and hashed exactly
// as the application does, so `npm run audit:verify` holds afterwards. A worker
// thread hashes while this one COPYs, and a load that at least doubles the
// timeline builds its secondary indexes after the rows are in.
import { statfsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { Client } from 'pg';
import { recordRegistryBaseline } from '@/lib/audit/baseline';
import { getDb } from '@/lib/db';
import { appendScaleEvents, historyCount } from './scale/events';
import { buildPendingIndexes, withIndexesDeferred } from './scale/indexes';
import { alignRotations, createAgents, ensurePeople, loadAgents } from './scale/registry';

const BYTES_PER_EVENT = 1_100; // row + six indexes, measured on PostgreSQL 15
const BYTES_PER_AGENT = 12_000;
const AGENT_BATCH = 10_000;

/** What the loader writes a history of (its first events): its own baseline leaves these to it. */
const HISTORY_KINDS: string[] = ['credential', 'agent', 'purpose', 'review'];

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { agents: { type: 'string', default: '100000' }, events: { type: 'string', default: '10000000' } },
  });
  const targetAgents = Number(values.agents);
  const targetEvents = Number(values.events);
  const url = process.env.DATABASE_URL;
  if (!url?.startsWith('postgres')) {
    console.error('Set DATABASE_URL to a PostgreSQL server: the scale dataset is too big for the embedded database.');
    return 1;
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const existingAgents = Number(
      (await client.query(`SELECT count(*) AS n FROM "Agent" WHERE "slug" LIKE 'scale-agent-%'`)).rows[0].n,
    );
    const existingEvents = Number(
      (await client.query(`SELECT "seq" FROM "AuditChainHead" WHERE "id" = 1`)).rows[0].seq,
    );
    const addAgents = Math.max(0, targetAgents - existingAgents);
    const addEvents = Math.max(0, targetEvents - existingEvents);
    const needed = addEvents * BYTES_PER_EVENT + addAgents * BYTES_PER_AGENT;
    const disk = statfsSync('/');
    const free = disk.bavail * disk.bsize;
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;
    console.log(
      `Scale dataset: ${existingAgents.toLocaleString('en')} → ${targetAgents.toLocaleString('en')} agents, ` +
        `${existingEvents.toLocaleString('en')} → ${targetEvents.toLocaleString('en')} events. Needs about ` +
        `${gib(needed)}; ${gib(free)} free.`,
    );
    if (needed > free * 0.9) {
      console.error(
        `Not enough free disk: about ${gib(needed)} is needed and only ${gib(free)} is free. Free some space ` +
          `or ask for fewer events.`,
      );
      return 1;
    }
    const started = performance.now();
    const announce = (name: string) => console.log(`Building index ${name}…`);
    const rebuilt = await buildPendingIndexes(client, announce);
    if (rebuilt) console.log(`Built ${rebuilt} indexes an interrupted run had dropped.`);
    const people = await ensurePeople(client);
    if (addAgents > 0) {
      const bar = new SingleBar({
        format: 'agents  [{bar}] {value}/{total} {percentage}% | {duration}s',
        noTTYOutput: true,
        notTTYSchedule: 5000,
      });
      bar.start(addAgents, 0);
      for (let from = existingAgents + 1; from <= targetAgents; from += AGENT_BATCH) {
        const to = Math.min(targetAgents, from + AGENT_BATCH - 1);
        await client.query('BEGIN');
        await createAgents(client, people, from, to, new Date());
        await client.query('COMMIT');
        bar.update(to - existingAgents);
      }
      bar.stop();
    }
    // Its people and exceptions were copied in, not made through Custodian: recorded as they stand (only its own
    // rows, by their ids), so the registry check explains them and shows only what changes after. Its agents,
    // credentials, purposes and reviews have their own history instead (the first events written), as one event could
    // not carry them.
    // Before the events: the baseline replays the whole chain under the head's lock, seconds on a new dataset.
    const baseline = await recordRegistryBaseline(getDb(), {
      only: (d) => d.id.startsWith('scale_') && !HISTORY_KINDS.includes(d.kind),
      bulkLoad: true,
    });
    if (baseline.seq !== null)
      console.log(`Recorded its ${baseline.rows.length} rows as they stand (event ${baseline.seq}, audit.baselined).`);
    if (addEvents > 0) {
      // Room for every event to come, in partitions of the configured width (as the owner, which this loader is).
      await client.query('SELECT custodian_audit_partitions_ahead(NULL, $1, NULL)', [existingEvents + addEvents]);
      const agents = await loadAgents(client);
      // The history of the agents no event records yet is written first, within the events asked for.
      const history = historyCount(agents);
      if (history > addEvents) {
        console.log(
          `${history.toLocaleString('en')} events would record the new agents' history, more than the ` +
            `${addEvents.toLocaleString('en')} asked for: ask for more events, or the rest stay unrecorded.`,
        );
      }
      const bar = new SingleBar({
        format: 'events  [{bar}] {value}/{total} {percentage}% | {duration}s | ETA {eta}s',
        noTTYOutput: true,
        notTTYSchedule: 5000,
      });
      bar.start(addEvents, 0);
      const load = () => appendScaleEvents(client, agents, addEvents, (done) => bar.update(done));
      // Doubling the timeline or more: its secondary indexes are built once after the load, not row by row.
      if (addEvents >= existingEvents) {
        await withIndexesDeferred(client, 'AuditEvent', load, (name) => {
          bar.stop();
          announce(name);
        });
      } else await load();
      bar.stop();
      const aligned = await alignRotations(client);
      console.log(`Set ${aligned.toLocaleString('en')} credentials' last rotation to their last recorded one.`);
    }
    // Statistics for the planner, and the visibility map that lets counts read indexes alone.
    await client.query('VACUUM ANALYZE');
    console.log(
      `Done in ${((performance.now() - started) / 1000).toFixed(0)} s: ${addAgents.toLocaleString('en')} ` +
        `agents and ${addEvents.toLocaleString('en')} events added.`,
    );
    return 0;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
