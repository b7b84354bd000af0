import { afterAll, describe, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { asOwner } from '@/lib/testing/owner';
import { appendAuditEvents, SYSTEM_ACTOR } from '.';
import { isoFromPrinted, literal, streamEvents } from './stream';
import { verifyAuditChain } from './verify';

// The chain is read with the times as PostgreSQL prints them in the reading session, turned into what
// Date.toISOString() wrote when each event was hashed. A time read differently fails verification of an intact
// chain; one read too leniently lets a change pass.

/** Sets (or with null, resets) the test database's default time zone and date style for new sessions. */
const setDatabaseDefaults = (defaults: { timezone: string; datestyle: string } | null) =>
  asOwner(
    defaults
      ? `DO $$ BEGIN
          EXECUTE format('ALTER DATABASE %I SET timezone = %L', current_database(), '${defaults.timezone}');
          EXECUTE format('ALTER DATABASE %I SET datestyle = %L', current_database(), '${defaults.datestyle}');
        END $$`
      : `DO $$ BEGIN
          EXECUTE format('ALTER DATABASE %I RESET timezone', current_database());
          EXECUTE format('ALTER DATABASE %I RESET datestyle', current_database());
        END $$`,
  );

describe('reading the chain', () => {
  afterAll(() => setDatabaseDefaults(null));

  it('reads each time as toISOString wrote it, whatever the database prints by default', async () => {
    // A zone 12:45 ahead of UTC and a day-first style: a reader that took the defaults would print other texts.
    await setDatabaseDefaults({ timezone: 'Pacific/Chatham', datestyle: 'SQL, DMY' });
    const times = [
      '2026-01-02T03:04:05.000Z',
      '2026-01-02T03:04:05.500Z',
      '2026-01-02T03:04:05.450Z',
      '2026-01-02T03:04:05.345Z',
      '1970-01-01T00:00:00.001Z',
      '2026-12-31T23:59:59.999Z',
      '2000-02-29T12:00:00.010Z',
    ];
    const db = getDb();
    const appended = await db.$transaction((tx) =>
      appendAuditEvents(
        tx,
        times.map((t) => ({
          action: 'system.note' as const,
          actor: SYSTEM_ACTOR,
          details: { note: t },
          occurredAt: new Date(t),
        })),
      ),
    );
    const seqs = appended.map((e) => e.seq);
    const read = [];
    for await (const page of streamEvents(db, `e."seq" = ANY(ARRAY[${seqs.map(literal).join(',')}]::bigint[])`)) {
      read.push(...page);
    }
    expect(read.map((e) => e.occurredAt)).toEqual(times);
    for (const e of read) expect(e.recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    // And the whole chain, times included, verifies as written.
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true });
  });

  it('turns only the printed form of a millisecond time into ISO 8601; any other stays as printed', () => {
    expect(isoFromPrinted('2026-12-05 06:11:27+00')).toBe('2026-12-05T06:11:27.000Z');
    expect(isoFromPrinted('2026-12-05 06:11:27.5+00')).toBe('2026-12-05T06:11:27.500Z');
    expect(isoFromPrinted('2026-12-05 06:11:27.45+00')).toBe('2026-12-05T06:11:27.450Z');
    expect(isoFromPrinted('2026-12-05 06:11:27.345+00')).toBe('2026-12-05T06:11:27.345Z');
    // What a timestamptz(3) never holds, or a session not in UTC would print: never a time that could match a hash.
    for (const text of [
      '2026-12-05 06:11:27.3451+00',
      '2026-12-05 06:11:27.345+01',
      '2026-12-05 06:11:27.345+00 BC',
      '10000-12-05 06:11:27+00',
      '05/12/2026 06:11:27.345 UTC',
      '2026-12-05 06:11:27,3+00',
      'infinity',
      '',
    ]) {
      expect(isoFromPrinted(text), text).toBe(text);
    }
  });

  // Last: it leaves the chain broken.
  it('reports a time set to NULL by the database owner as an altered event, not as an error', async () => {
    const db = getDb();
    const [appended] = await db.$transaction((tx) =>
      appendAuditEvents(tx, [{ action: 'system.note' as const, actor: SYSTEM_ACTOR, details: { note: 'to blank' } }]),
    );
    const seq = appended!.seq;
    await asOwner(
      'ALTER TABLE "AuditEvent" DISABLE TRIGGER USER',
      'ALTER TABLE "AuditEvent" ALTER COLUMN "occurredAt" DROP NOT NULL',
      `UPDATE "AuditEvent" SET "occurredAt" = NULL WHERE "seq" = ${seq}`,
      'ALTER TABLE "AuditEvent" ENABLE TRIGGER USER',
    );
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({ ok: false, brokenSeq: seq });
    expect(!result.ok && result.reason).toContain(`event ${seq} was altered`);
  });
});
