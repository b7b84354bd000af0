// The scale loader when the server refuses a row mid-load (here: no partition for the seqs past the last one): the
// load fails with the server's reason, instead of hanging or crashing, the chunks before it stay committed with the
// chain head on their last row, and the connection is usable again.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '@/lib/audit/verify';
import { getDb } from '@/lib/db';
import { asOwner } from '@/lib/testing/owner';
import { useNarrowPartitions } from '@/lib/testing/partitions';
import { appendScaleEvents } from './events';
import { createAgents, ensurePeople } from './registry';

const ownerUrl = process.env.MIGRATION_DATABASE_URL;

describe.skipIf(!ownerUrl)('the scale loader, refused mid-load', () => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: ownerUrl });
    await client.connect();
  });
  afterAll(async () => client?.end());

  it('fails with the server’s reason, keeps the chunks before it and leaves the connection usable', async () => {
    // Partitions 1,000 seqs wide, none from seq 10,000 on: the 10,000th event has nowhere to go.
    await useNarrowPartitions(1_000n);
    await asOwner(
      `DO $$ DECLARE p regclass; BEGIN
         FOR p IN SELECT inhrelid::regclass FROM pg_inherits WHERE inhparent = '"AuditEvent"'::regclass
           AND inhrelid::regclass::text >= '"AuditEvent_${'10000'.padStart(19, '0')}"' LOOP
           EXECUTE format('DROP TABLE %s', p);
         END LOOP; END $$`,
    );
    const people = await ensurePeople(client);
    await client.query('BEGIN');
    const agents = await createAgents(client, people, 1, 10, new Date());
    await client.query('COMMIT');
    const started = Date.now();
    await expect(appendScaleEvents(client, agents, 12_000, () => {}, { chunk: 4_000 })).rejects.toThrow(
      /no partition of relation "AuditEvent" found for row/,
    );
    expect(Date.now() - started).toBeLessThan(30_000);
    await client.query('ROLLBACK');
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    // Two chunks of 4,000 committed; the third was refused whole.
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    expect(head.seq).toBe(8_000n);
    expect(await getDb().auditEvent.count()).toBe(8_000);
    expect(await verifyAuditChain(getDb())).toMatchObject({ ok: true, eventCount: 8_000 });
  });
});
