// Read replicas against a real one: a second PostgreSQL cluster made with pg_basebackup -R, streaming from a primary
// the test also starts. Lag is made by pausing the replica's replay, as a busy or broken replica would lag.
import pg from 'pg';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplicaNotice } from '@/components/system/replica-notice';
import { listTimeline, parseTimelineQuery } from '@/lib/audit';
import { exportTimeline } from '@/lib/audit/export';
import { streamEvents } from '@/lib/audit/stream';
import type { Actor } from '@/lib/authz';
import { getPostureSummary } from '@/lib/dashboard/queries';
import { disconnectDb, getDb, readSource } from '@/lib/db';
import { pgMigrationTarget } from '@/lib/db/adapters';
import { forgetReadSource, forWriter, noticeFor, UNFINISHED_WRITE, wroteThrough } from '@/lib/db/replica';
import { ensureApplicationRole } from '@/lib/db/roles';
import { resetEnvCache } from '@/lib/env';
import { syncFindings } from '@/lib/policy/trend';
import { makeAgent } from '@/lib/testing/agents';
import { applicationUrl } from '@/lib/testing/application-role';
import { appendNotes } from '@/lib/testing/partitions';
import { createPerson } from '@/lib/testing/people';
import { canRunReplicaCluster, startReplicaCluster, type ReplicaCluster } from '@/lib/testing/replica-cluster';
import { applyMigrations } from '@/prisma/schema-engine';
import { withAdmin } from '@/prisma/temporary-database';

/** Where a read goes, without the client (a failed match prints it; the client's cycles would overflow the stack). */
const where = (source: Awaited<ReturnType<typeof readSource>>) => ({ from: source.from, replica: source.replica });

const server = Boolean(process.env.DATABASE_URL);
if (server && process.env.CI === 'true' && !canRunReplicaCluster()) {
  throw new Error('CI needs the PostgreSQL 15 binaries (initdb, pg_basebackup) for the read-replica test.');
}

describe.skipIf(!server || !canRunReplicaCluster())('a streaming read replica', () => {
  let cluster: ReplicaCluster;
  let auditor: Actor;
  let admin: Actor;
  const saved = { ...process.env };

  const configure = (maxLag: number) => {
    process.env.DATABASE_REPLICA_MAX_LAG_SECONDS = String(maxLag);
    resetEnvCache();
    forgetReadSource();
  };
  const timelineNotes = async () =>
    (await listTimeline(auditor, parseTimelineQuery({}))).rows.filter((r) => r.action === 'system.note').length;
  const isReplica = async () => {
    const [row] = await (await readSource()).db.$queryRaw<{ r: boolean }[]>`SELECT pg_is_in_recovery() AS r`;
    return row!.r;
  };

  beforeAll(async () => {
    cluster = await startReplicaCluster();
    const owner = cluster.primaryUrl('postgres').replace(/\/postgres$/, '/custodian');
    await withAdmin(owner, (client) => client.query('CREATE DATABASE custodian'));
    const target = pgMigrationTarget(owner);
    try {
      await applyMigrations(target.factory);
    } finally {
      await target.dispose();
    }
    await ensureApplicationRole(owner, applicationUrl(owner));
    await disconnectDb();
    // The application role on both servers: the replica is a physical copy, roles and grants included.
    process.env.DATABASE_URL = applicationUrl(owner);
    process.env.DATABASE_REPLICA_URL = applicationUrl(cluster.replicaUrl('custodian'));
    configure(30);
    auditor = await createPerson(['AUDITOR']);
    admin = await createPerson(['ADMIN']);
    await appendNotes(3, 'before');
    await cluster.caughtUp();
  }, 180_000);

  afterAll(async () => {
    await disconnectDb();
    cluster?.stop();
    for (const key of ['DATABASE_URL', 'DATABASE_REPLICA_URL', 'DATABASE_REPLICA_MAX_LAG_SECONDS']) {
      if (saved[key] === undefined) delete process.env[key];
      else process.env[key] = saved[key];
    }
    resetEnvCache();
  });

  it('serves timeline, export and dashboard reads from the replica when it is current, and says nothing', async () => {
    const source = await readSource();
    expect(where(source)).toMatchObject({ from: 'replica', replica: { state: 'current' } });
    expect(await isReplica()).toBe(true);
    expect(await timelineNotes()).toBe(3);
    expect((await getPostureSummary(auditor)).inService).toBe(0);
    expect(noticeFor(source)).toBeNull();
    expect(renderToStaticMarkup(await ReplicaNotice())).toBe('');
  });

  it('while it lags: writes go to the primary, lagging reads miss them, and the page says since when', async () => {
    await cluster.onReplica('SELECT pg_wal_replay_pause()');
    try {
      await appendNotes(2, 'during');
      const inServiceBefore = (await getPostureSummary(admin)).inService;
      await makeAgent(admin);
      const [written] = await getDb().auditEvent.findMany({
        where: { action: 'system.note' },
        orderBy: { seq: 'desc' },
        skip: 1,
        take: 1,
      });
      forgetReadSource();
      const source = await readSource();
      expect(source.from).toBe('replica');
      expect(source.replica).toMatchObject({ state: 'behind', since: written!.recordedAt });
      // The primary has five notes and the new agent; the replica still shows three, and the dashboard its figures.
      expect(await getDb().auditEvent.count({ where: { action: 'system.note' } })).toBe(5);
      expect(await timelineNotes()).toBe(3);
      expect(await getDb().agent.count({ where: { status: { not: 'RETIRED' } } })).toBe(inServiceBefore + 1);
      expect((await getPostureSummary(admin)).inService).toBe(inServiceBefore);

      const notice = noticeFor(source)!;
      expect(notice).toMatch(/^Read from a replica \d+\.\d s behind the primary: what was recorded since /);
      expect(notice).toContain(written!.recordedAt.toISOString().slice(11, 19));
      const html = renderToStaticMarkup(await ReplicaNotice());
      expect(html).toContain('role="status"');
      expect(html).toContain('behind the primary');

      // An export taken now ends at the replica's head, and says so in its trailer.
      const stream = await exportTimeline(auditor, parseTimelineQuery({}), 'ndjson');
      const text = await new Response(stream).text();
      const trailer = JSON.parse(text.trim().split('\n').at(-1)!).trailer as { chainHeadSeq: string };
      expect(BigInt(trailer.chainHeadSeq)).toBeLessThan(written!.seq);
      // Its rows came by COPY from the replica itself, not from the primary cut at the replica's head.
      let streamed = 0;
      for await (const page of streamEvents(source.db, 'true')) streamed += page.length;
      expect(streamed).toBe(await source.db.auditEvent.count());
      expect(streamed).toBeLessThan(await getDb().auditEvent.count());
      // … and its own record was written to the primary, not refused by the read-only replica.
      expect(await getDb().auditEvent.count({ where: { action: 'audit.exported' } })).toBe(1);

      // Past the allowed lag the replica is passed over: the same read comes from the primary, current.
      configure(0.5);
      await new Promise((r) => setTimeout(r, 700));
      forgetReadSource();
      const fallback = await readSource();
      expect(fallback.from).toBe('primary');
      expect(fallback.replica).toMatchObject({ state: 'behind' });
      expect(await isReplica()).toBe(false);
      expect(await timelineNotes()).toBe(5);
      expect(noticeFor(fallback)).toBeNull();
    } finally {
      await cluster.onReplica('SELECT pg_wal_replay_resume()');
      configure(30);
    }
    await cluster.caughtUp();
    forgetReadSource();
    expect(where(await readSource())).toMatchObject({ from: 'replica', replica: { state: 'current' } });
    expect(await timelineNotes()).toBe(5);
  });

  it('a findings sync the replica lacks counts as lag, though it appended no event', async () => {
    await syncFindings(getDb());
    await cluster.caughtUp();
    forgetReadSource();
    expect(where(await readSource())).toMatchObject({ from: 'replica', replica: { state: 'current' } });
    await cluster.onReplica('SELECT pg_wal_replay_pause()');
    try {
      const head = (await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
      await syncFindings(getDb());
      // Nothing opened or closed: the timeline did not move, only the sync's own tables.
      expect((await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).seq).toBe(head);
      forgetReadSource();
      const source = await readSource();
      expect(where(source)).toMatchObject({ from: 'replica', replica: { state: 'behind' } });
      const synced = await getDb().findingDaily.findFirstOrThrow({ orderBy: { syncedAt: 'desc' } });
      expect((source.replica as { since: Date }).since).toEqual(synced.syncedAt);
    } finally {
      await cluster.onReplica('SELECT pg_wal_replay_resume()');
    }
    await cluster.caughtUp();
  });

  it('a person reads their own change: in the action that made it, and after until the replica has it', async () => {
    forgetReadSource();
    const source = await readSource();
    const head = (source.replica as { head: bigint }).head;
    expect(source.from).toBe('replica');
    expect(forWriter(source, null).from).toBe('replica');
    expect(forWriter(source, head).from).toBe('replica');
    expect(forWriter(source, head + 1n).from).toBe('primary');
    expect(forWriter(source, 'in-this-request').from).toBe('primary');
    // An import streaming its progress sets the cookie before its end is known: its reads go to the primary.
    expect(forWriter(source, wroteThrough(String(UNFINISHED_WRITE))).from).toBe('primary');
  });

  it('a forged wrote-cookie changes nothing but where that person’s own reads go', async () => {
    // The reader holds the cookie: garbage is ignored, and the largest seq only sends their reads to the primary.
    for (const forged of ['abc', '-1', '1e9', '12 OR 1=1', '99999999999999999999', '']) {
      expect(wroteThrough(forged)).toBeNull();
    }
    expect(wroteThrough('9223372036854775807')).toBe(9223372036854775807n);
    forgetReadSource();
    const source = await readSource();
    const forged = forWriter(source, wroteThrough('9223372036854775807'));
    expect(forged.from).toBe('primary');
    // What the primary answers is what anyone may read there: the same timeline the replica shows when current.
    expect(forged.replica).toEqual(source.replica);
  });

  it('a database that is not a copy of this primary is never read, whether behind it or ahead of it', async () => {
    // Another environment's database on the replica's address: its own chain, its own hashes.
    const other = cluster.primaryUrl('custodian_other');
    await withAdmin(cluster.primaryUrl('postgres'), (client) => client.query('CREATE DATABASE custodian_other'));
    const primaryHead = (await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).seq;
    const useReplica = async (url: string) => {
      await disconnectDb();
      process.env.DATABASE_REPLICA_URL = url;
      resetEnvCache();
      forgetReadSource();
    };
    const onOther = async (sql: string, values: string[] = []) => {
      const client = new pg.Client({ connectionString: other });
      await client.connect();
      await client.query(sql, values).finally(() => client.end());
    };
    await onOther(`CREATE TABLE "AuditEvent" ("seq" bigint, "hash" text, "recordedAt" timestamptz);
      CREATE TABLE "FindingDaily" ("syncedAt" timestamptz);
      -- Behind this primary, with hashes of its own: a lag check alone would read it as a copy two events in.
      INSERT INTO "AuditEvent" SELECT s, repeat('0', 64), now() FROM generate_series(1, 2) s`);
    try {
      await useReplica(other);
      const behind = await readSource();
      expect(where(behind)).toMatchObject({ from: 'primary', replica: { state: 'diverged', head: 2n } });
      expect(await isReplica()).toBe(false);
      expect(noticeFor(behind)).toBeNull();
      // Ahead of this primary: nothing on the primary is newer, so a lag check alone would call it current.
      await onOther(`INSERT INTO "AuditEvent" SELECT s, repeat('0', 64), now() FROM generate_series(3, $1) s`, [
        String(primaryHead + 100n),
      ]);
      forgetReadSource();
      expect(await readSource()).toMatchObject({
        from: 'primary',
        replica: { state: 'diverged', head: primaryHead + 100n },
      });
      expect(await timelineNotes()).toBe(5);
    } finally {
      await useReplica(applicationUrl(cluster.replicaUrl('custodian')));
    }
    expect(where(await readSource())).toMatchObject({ from: 'replica', replica: { state: 'current' } });
  });

  it('an unreachable replica is passed over within seconds, and the reads come from the primary', async () => {
    cluster.stopReplica();
    forgetReadSource();
    const started = Date.now();
    const source = await readSource();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(where(source)).toMatchObject({ from: 'primary', replica: { state: 'unreachable' } });
    expect(await timelineNotes()).toBe(5);
  });
});
