// The application role (what the code runs as) against the audit record: it reads and appends, nothing else.
import pg from 'pg';
import { expect, it, vi } from 'vitest';
import { appendAuditEvents, SYSTEM_ACTOR, verifyAuditChain } from '@/lib/audit';
import { hashEvent } from '@/lib/audit/canonical';
import { FORMAT_V2, sealDetails } from '@/lib/audit/fields';
import { latestVerification, runVerification, signCheckpoint } from '@/lib/audit/integrity';
import { trustedPublicKeys } from '@/lib/audit/signing';
import { getDb } from '@/lib/db';
import { ensureApplicationRole, passwordForStatement } from '@/lib/db/roles';
import { Prisma } from '@/lib/generated/prisma/client';
import { asOwner } from '@/lib/testing/owner';
import { createPerson } from '@/lib/testing/people';
import { describeWithPostgresServer } from '@/lib/testing/postgres';

const AUDIT_TABLES = [
  'AuditEvent',
  'AuditSignature',
  'AuditCheckpoint',
  'AuditChainHead',
  'AuditRedaction',
  'AuditArchive',
  'IssuanceDecision',
  'CredentialMisuse',
];

describeWithPostgresServer('the application role and the audit record', () => {
  it('cannot UPDATE, DELETE, TRUNCATE, ALTER, DISABLE TRIGGER or DROP any audit table', async () => {
    const note = { action: 'system.note' as const, actor: SYSTEM_ACTOR, details: { note: 'appended' } };
    await getDb().$transaction((tx) => appendAuditEvents(tx, [note]));
    await getDb().$transaction((tx) => appendAuditEvents(tx, [note]));
    const [who] = await getDb().$queryRaw<{ user: string }[]>`SELECT current_user AS "user"`;
    expect(who?.user).toBe('custodian_app_test');
    // A partition of the timeline, addressed directly, is refused as the table is.
    const [partition] = await getDb().$queryRaw<{ name: string }[]>`
      SELECT inhrelid::regclass::text AS "name" FROM pg_inherits WHERE inhparent = '"AuditEvent"'::regclass LIMIT 1`;
    expect(partition?.name).toMatch(/^"AuditEvent_\d{19}"$/);
    for (const table of [...AUDIT_TABLES, partition!.name.replace(/"/g, '')]) {
      const column = table === 'IssuanceDecision' || table === 'AuditArchive' ? 'id' : 'seq';
      for (const statement of [
        `UPDATE "${table}" SET "${column}" = "${column}"`,
        `DELETE FROM "${table}"`,
        `TRUNCATE "${table}"`,
        `ALTER TABLE "${table}" ADD COLUMN "x" int`,
        `ALTER TABLE "${table}" DISABLE TRIGGER USER`,
        `DROP TABLE "${table}"`,
        `ALTER TABLE "${table}" DETACH PARTITION "${table}"`,
      ]) {
        await expect(getDb().$executeRawUnsafe(statement), statement).rejects.toThrow(
          /permission denied|must be owner/,
        );
      }
    }
    // A manifest that would excuse a missing range is the owner's to write, never the application's.
    await expect(
      getDb().$executeRawUnsafe(
        `INSERT INTO "AuditArchive" ("id", "partition", "fromSeq", "toSeq", "count", "headIn", "headOut",
           "fileSha256", "eventSeq", "carried", "archivedAt", "keyId", "signature")
         VALUES ('x', 'x', 1, 1, 1, '', '', '', 1, '[]', now(), 'k', 's')`,
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(getDb().$executeRawUnsafe('SELECT custodian_audit_partitions_ahead(1, 10, NULL)')).rejects.toThrow(
      /permission denied/,
    );
    for (const fn of [
      'custodian_advance_head(BIGINT, CHAR)',
      'custodian_advance_head_records(BIGINT, CHAR)',
      'custodian_redact(TEXT)',
    ]) {
      await expect(getDb().$executeRawUnsafe(`DROP FUNCTION ${fn}`)).rejects.toThrow(/must be owner/);
      await expect(
        getDb().$executeRawUnsafe(
          `CREATE OR REPLACE FUNCTION ${fn.replace(/\(.*/, '')}() RETURNS int LANGUAGE sql AS 'SELECT 1'`,
        ),
      ).rejects.toThrow(/permission denied|must be owner/);
    }
    // It reads and appends.
    expect(await getDb().auditEvent.count()).toBeGreaterThan(0);
  });

  it('moves the head only forward, only to an appended event, through its owner’s functions', async () => {
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    const first = await getDb().auditEvent.findFirstOrThrow({ orderBy: { seq: 'asc' } });
    expect(first.seq).toBeLessThan(head.seq);
    // The records-only move (which leaves the registry's mark) holds the head to the same rules.
    for (const fn of [Prisma.sql`custodian_advance_head`, Prisma.sql`custodian_advance_head_records`]) {
      await expect(
        getDb().$executeRaw`SELECT ${fn}(${head.seq + 5n}::bigint, ${'a'.repeat(64)}::char(64))`,
      ).rejects.toThrow(/can only move to an appended event/);
      await expect(getDb().$executeRaw`SELECT ${fn}(${first.seq}::bigint, ${first.hash}::char(64))`).rejects.toThrow(
        /only moves forward/,
      );
    }
    expect(await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } })).toEqual(head);
  });

  it('an event written around Custodian is never sealed: later appends and checkpoints stay unsigned', async () => {
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    const at = new Date();
    const row = {
      seq: head.seq + 1n,
      occurredAt: at,
      recordedAt: at,
      actorType: 'SYSTEM' as const,
      actorId: null,
      agentId: null,
      credentialId: null,
      action: 'system.note',
      details: { note: 'written around Custodian' },
      owners: null,
      format: FORMAT_V2,
      ...sealDetails({ note: 'written around Custodian' }),
    };
    const hash = hashEvent(head.hash, row);
    // The application role may INSERT an event and move the head to it, but it cannot sign.
    await getDb().auditEvent.create({ data: { ...row, prevHash: head.hash, hash, owners: undefined } });
    await getDb().$executeRaw`SELECT custodian_advance_head(${row.seq}::bigint, ${hash}::char(64))`;
    await getDb().$transaction((tx) =>
      appendAuditEvents(tx, [{ action: 'system.note', actor: SYSTEM_ACTOR, details: { note: 'after' } }]),
    );
    expect(await signCheckpoint()).toBeNull();
    const result = await verifyAuditChain(getDb(), { keys: trustedPublicKeys() });
    expect(result).toMatchObject({ ok: false, brokenSeq: row.seq });
    expect(result.ok ? '' : result.reason).toMatch(/carry no valid signature/);
  });

  it('records a verification but cannot date it, edit it or delete it', async () => {
    const row = { ok: true, throughSeq: 1n, eventCount: 1, durationMs: 1 };
    const dated = await getDb().auditVerification.create({
      data: { ...row, verifiedAt: new Date('2999-01-01T00:00:00Z') },
    });
    expect(dated.verifiedAt.getTime()).toBeLessThan(Date.now() + 60_000);
    await expect(getDb().$executeRawUnsafe(`UPDATE "AuditVerification" SET "ok" = true`)).rejects.toThrow(
      /permission denied/,
    );
    await expect(getDb().$executeRawUnsafe(`DELETE FROM "AuditVerification"`)).rejects.toThrow(/permission denied/);
  });

  it('a "verified" written around Custodian is not shown as its result; its own run is', async () => {
    const auditor = await createPerson(['AUDITOR']);
    await runVerification(getDb(), null);
    // (Earlier tests here broke the chain on purpose: the result is "broken", and Custodian's own.)
    expect(await latestVerification(auditor)).toMatchObject({
      verification: { signature: expect.any(String) },
      forged: false,
    });
    // A later row claiming success, with no signature, then with one copied from a real run.
    await getDb().auditVerification.create({ data: { ok: true, throughSeq: 999n, eventCount: 999, durationMs: 1 } });
    expect(await latestVerification(auditor)).toMatchObject({ verification: { throughSeq: 999n }, forged: true });
    const real = await getDb().auditVerification.findFirstOrThrow({ where: { signature: { not: null } } });
    await getDb().auditVerification.create({
      data: {
        ok: true,
        throughSeq: 999n,
        eventCount: 999,
        durationMs: 1,
        keyId: real.keyId,
        signature: real.signature,
      },
    });
    expect(await latestVerification(auditor)).toMatchObject({ forged: true });
    await runVerification(getDb(), null);
    expect(await latestVerification(auditor)).toMatchObject({ forged: false });
  });

  it('a signature planted at the next seq does not stop appends; verification names that seq', async () => {
    const head = await getDb().auditChainHead.findUniqueOrThrow({ where: { id: 1 } });
    await getDb().$executeRaw`INSERT INTO "AuditSignature" ("seq", "hash", "signedAt", "keyId", "signature")
      VALUES (${head.seq + 1n}, ${'e'.repeat(64)}, now(), 'planted', 'AAAA')`;
    const [appended] = await getDb().$transaction((tx) =>
      appendAuditEvents(tx, [{ action: 'system.note', actor: SYSTEM_ACTOR, details: { note: 'still recorded' } }]),
    );
    expect(appended?.seq).toBe(head.seq + 1n);
  });
});

describeWithPostgresServer("the application role's password", () => {
  it('never travels as text in a statement (the server may log it), and the role signs in with it', async () => {
    const owner = process.env.MIGRATION_DATABASE_URL!;
    const password = `pw'"\\ $:@/${Date.now()}`;
    const app = new URL(owner);
    app.username = `custodian_scram_${Date.now()}`;
    app.password = encodeURIComponent(password);
    // Every statement the owner's client sends.
    const sent: string[] = [];
    const original = pg.Client.prototype.query;
    const query = vi.spyOn(pg.Client.prototype, 'query').mockImplementation(function (this: pg.Client, ...args) {
      const first = args[0] as string | { text?: string };
      sent.push(typeof first === 'string' ? first : (first.text ?? ''));
      return Reflect.apply(original, this, args) as never;
    });
    try {
      // Created, then set again (an existing role gets the configured password).
      await ensureApplicationRole(owner, app.toString());
      await ensureApplicationRole(owner, app.toString());
      query.mockRestore();
      const statements = sent.filter((s) => s.includes(' ROLE '));
      expect(statements).toHaveLength(2);
      for (const s of statements) expect(s).toMatch(/PASSWORD 'SCRAM-SHA-256\$4096:[^']+'/);
      expect(sent.join('\n')).not.toContain(password);
      expect(sent.join('\n')).not.toContain(encodeURIComponent(password));
      // The server checks passwords here (not trust): a wrong one is refused.
      const wrong = new URL(app);
      wrong.password = 'not-the-password';
      const refused = new pg.Client({ connectionString: wrong.toString() });
      await expect(refused.connect()).rejects.toMatchObject({ code: '28P01' });
      const client = new pg.Client({ connectionString: app.toString() });
      await client.connect();
      try {
        const { rows } = await client.query<{ user: string }>('SELECT current_user AS "user"');
        expect(rows[0]?.user).toBe(app.username);
      } finally {
        await client.end();
      }
    } finally {
      query.mockRestore();
      await asOwner(
        `DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${app.username}') THEN
           DROP OWNED BY "${app.username}"; DROP ROLE "${app.username}"; END IF; END $$`,
      );
    }
  });

  it('is a verifier only where the server would read the same bytes (ASCII); anything else goes as typed', () => {
    expect(passwordForStatement('plain-ascii 123')).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[^:]{44}:.{44}$/);
    // A password that looks like a verifier is hashed too, never taken by the server as one.
    expect(passwordForStatement('md5' + 'a'.repeat(32))).toMatch(/^SCRAM-SHA-256\$/);
    expect(passwordForStatement('pässwörd')).toBe('pässwörd');
  });
});
