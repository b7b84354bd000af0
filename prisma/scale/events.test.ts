// The scale loader on a small dataset: events hashed in a worker thread and COPYed by this one, chunk by chunk,
// verify as the application's own; the timeline's secondary indexes are dropped for the load and built again after
// it, also when the load fails or the process dies mid-load.
import { existsSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvent } from '@/lib/audit/append';
import { registryDrift } from '@/lib/audit/drift';
import { verifyAuditChain } from '@/lib/audit/verify';
import { getDb } from '@/lib/db';
import { appendScaleEvents } from './events';
import { buildPendingIndexes, pendingFile, withIndexesDeferred } from './indexes';
import { alignRotations, createAgents, ensurePeople, loadAgents } from './registry';

const ownerUrl = process.env.MIGRATION_DATABASE_URL;

describe.skipIf(!ownerUrl)('the scale loader', () => {
  let client: pg.Client;
  const indexes = async () =>
    (
      await client.query<{ def: string }>(
        `SELECT pg_get_indexdef(x.indexrelid) AS def FROM pg_index x WHERE x.indrelid = '"AuditEvent"'::regclass
         ORDER BY 1`,
      )
    ).rows.map((r) => r.def);
  const head = async () =>
    (await client.query<{ seq: string }>(`SELECT "seq"::text AS seq FROM "AuditChainHead" WHERE "id" = 1`)).rows[0]!
      .seq;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: ownerUrl });
    await client.connect();
  });
  afterAll(async () => client?.end());

  it('hashes in a worker thread while this one COPYs, chunk by chunk, and the chain verifies', async () => {
    const people = await ensurePeople(client);
    await client.query('BEGIN');
    await createAgents(client, people, 1, 40, new Date());
    await client.query('COMMIT');
    // As the loader reads them back: each with the history its first events record.
    const agents = await loadAgents(client);
    expect(agents.filter((a) => a.history)).toHaveLength(40);
    const before = await indexes();
    const progress: number[] = [];
    await withIndexesDeferred(
      client,
      'AuditEvent',
      async () => {
        // Only the primary key is there while the rows go in.
        expect(await indexes()).toEqual([expect.stringContaining('"AuditEvent_pkey"')]);
        await appendScaleEvents(client, agents, 12_345, (done) => progress.push(done), { chunk: 5_000 });
      },
      () => {},
    );
    expect(await indexes()).toEqual(before);
    expect(existsSync(pendingFile(client))).toBe(false);
    expect(await head()).toBe('12345');
    expect(progress.at(-1)).toBe(12_345);
    // A second call continues the chain where the first left it.
    await appendScaleEvents(client, await loadAgents(client), 655, () => {}, { chunk: 5_000 });
    expect(await head()).toBe('13000');
    const verified = await verifyAuditChain(getDb());
    expect(verified).toMatchObject({ ok: true, eventCount: 13_000, verifiedThroughSeq: 13_000n });
    // Every loaded agent, credential and purpose is explained by its history, written once; each credential's last
    // rotation by its last recorded issue or rotation.
    expect(await alignRotations(client)).toBeGreaterThan(0);
    expect((await loadAgents(client)).filter((a) => a.history)).toEqual([]);
    const custody = (await registryDrift(getDb())).filter((d) =>
      ['agent', 'credential', 'purpose', 'review'].includes(d.kind),
    );
    expect(custody).toEqual([]);
    const reviews = await client.query(`SELECT count(*)::int AS n FROM "Review"`);
    expect(reviews.rows[0].n).toBeGreaterThan(0);
    const purposes = await client.query(`SELECT count(*)::int AS n FROM "Purpose"`);
    expect(purposes.rows[0].n).toBe(40);
    const created = await client.query(`SELECT count(*)::int AS n FROM "AuditEvent" WHERE "action" = 'agent.created'`);
    expect(created.rows[0].n).toBe(40);
  });

  it('builds the indexes again when the load fails, and after a run that died mid-load', async () => {
    const before = await indexes();
    await expect(
      withIndexesDeferred(
        client,
        'AuditEvent',
        async () => {
          await client.query('BEGIN');
          await client.query('SELECT 1/0');
        },
        () => {},
      ),
    ).rejects.toThrow(/division by zero/);
    expect(await indexes()).toEqual(before);

    // A run killed between the drop and the build leaves the definitions behind: the next run builds them first.
    writeFileSync(
      pendingFile(client),
      JSON.stringify(
        (
          await client.query<{ name: string; def: string }>(
            `SELECT i.relname AS name, pg_get_indexdef(i.oid) AS def FROM pg_index x JOIN pg_class i ON
             i.oid = x.indexrelid WHERE x.indrelid = '"AuditEvent"'::regclass AND NOT x.indisprimary`,
          )
        ).rows,
      ),
    );
    await client.query(`DROP INDEX "AuditEvent_agentId_seq_idx"`);
    const built: string[] = [];
    expect(await buildPendingIndexes(client, (name) => built.push(name))).toBe(before.length - 1);
    expect(built).toContain('AuditEvent_agentId_seq_idx');
    expect(await indexes()).toEqual(before);
    expect(existsSync(pendingFile(client))).toBe(false);
  });

  it('dates its events up to now, not after its own baseline (which it records first)', async () => {
    await getDb().$transaction((tx) =>
      appendAuditEvent(tx, { action: 'audit.baselined', actor: { type: 'SYSTEM', id: 'scale-loader' }, details: {} }),
    );
    const from = await head();
    await appendScaleEvents(client, await loadAgents(client), 1_000, () => {}, { chunk: 500 });
    const { rows } = await client.query<{ ahead: number }>(
      `SELECT count(*)::int AS "ahead" FROM "AuditEvent" WHERE "seq" > $1 AND "occurredAt" > now()`,
      [from],
    );
    expect(rows[0]!.ahead).toBe(0);
  });
});
