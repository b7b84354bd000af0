import { generateKeyPairSync } from 'node:crypto';
import { expect, it } from 'vitest';
import { appendAuditEvent, headIsVouchedFor, lockChainHead, SYSTEM_ACTOR } from '@/lib/audit/append';
import { trustedPublicKeys } from '@/lib/audit/signing';
import { getDb } from '@/lib/db';
import { Prisma } from '@/lib/generated/prisma/client';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { hotTransaction, type SqlTx } from './sql-tx';

const decisionRow = (id: string) => Prisma.sql`
  INSERT INTO "IssuanceDecision" ("id", "workloadIdentity", "allowed", "decidedAt", "tokenId")
  VALUES (${id}, 'spiffe://example.org/probe', false, now(), 'probe')`;

const probes = async () =>
  (
    await getDb().issuanceDecision.findMany({
      where: { id: { startsWith: 'sqltx-' } },
      select: { id: true },
      orderBy: { id: 'asc' },
    })
  ).map((r) => r.id);

describeWithPostgresServer('transactions on the hot pool', () => {
  it('gives the rows Prisma gives, and sends Dates as instants, on a machine whose clock is not in UTC', async () => {
    const zone = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      const at = new Date('2026-03-08T10:30:00.123Z');
      const read = (tx: SqlTx) => tx.$queryRaw`
        SELECT ${9007199254740993n}::bigint AS "big", ${at}::timestamptz AS "zoned",
          '2026-03-08 10:30:00.123'::timestamp(3) AS "plain", ${at}::timestamptz::timestamp(3) AS "utc",
          json_build_object('n', ${2}::int) AS "json", ARRAY[${'a'}, 'b']::text[] AS "list", 3::int AS "int",
          true AS "yes", NULL::text AS "none"`;
      const hot = await hotTransaction(read);
      expect(hot).toEqual([
        {
          big: 9007199254740993n,
          zoned: at,
          plain: at,
          utc: at,
          json: { n: 2 },
          list: ['a', 'b'],
          int: 3,
          yes: true,
          none: null,
        },
      ]);
      expect(hot).toEqual(await getDb().$transaction(read));
    } finally {
      process.env.TZ = zone;
    }
  });

  it('commits what the work wrote when it returns, and nothing when it throws or a statement fails', async () => {
    expect(await hotTransaction((tx) => tx.$executeRaw(decisionRow('sqltx-kept')))).toBe(1);
    await expect(
      hotTransaction(async (tx) => {
        await tx.$executeRaw(decisionRow('sqltx-thrown'));
        throw new Error('refused by the caller');
      }),
    ).rejects.toThrow('refused by the caller');
    await expect(
      hotTransaction(async (tx) => {
        await tx.$executeRaw(decisionRow('sqltx-failed'));
        return tx.$queryRaw`SELECT 1 / ${0}::int`;
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await probes()).toEqual(['sqltx-kept']);
    // Kept past its transaction, its tx refuses: the connection may be another caller's by now.
    let kept: SqlTx | undefined;
    await hotTransaction(async (tx) => void (kept = tx));
    await expect(kept!.$executeRaw(decisionRow('sqltx-late'))).rejects.toThrow(/transaction has ended/);
    expect(await probes()).toEqual(['sqltx-kept']);
  });

  it('gives every connection back: more failed transactions than the pool holds, then one that commits', async () => {
    for (let i = 0; i < 12; i++) {
      await expect(hotTransaction((tx) => tx.$queryRaw`SELECT 1 / ${0}::int`)).rejects.toThrow(/division by zero/);
    }
    expect(await hotTransaction((tx) => tx.$executeRaw(decisionRow('sqltx-after')))).toBe(1);
    // No connection was left inside a transaction: nothing of the failed ones is pending on any (of this file's
    // database: other files run beside it on the same server).
    const [idle] = await getDb().$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS "n" FROM pg_stat_activity
      WHERE "state" = 'idle in transaction' AND "pid" <> pg_backend_pid() AND "datname" = current_database()`;
    expect(idle!.n).toBe(0);
  });

  it('reads the head’s signature as Prisma does: a head Custodian signed is vouched for, a forged not', async () => {
    await getDb().$transaction((tx) =>
      appendAuditEvent(tx, {
        action: 'audit.exported',
        actor: SYSTEM_ACTOR,
        details: { format: 'ndjson', filter: {}, count: 0 },
      }),
    );
    const vouched =
      (forge: boolean, keys = trustedPublicKeys()) =>
      async (tx: SqlTx) => {
        const [head] = await lockChainHead(tx);
        return headIsVouchedFor(tx, forge ? { ...head!, hash: 'f'.repeat(64) } : head!, keys);
      };
    expect(await hotTransaction(vouched(false))).toBe(true);
    expect(await getDb().$transaction(vouched(false))).toBe(true);
    expect(await hotTransaction(vouched(true))).toBe(false);
    expect(await getDb().$transaction(vouched(true))).toBe(false);
    // The signature is checked, not found: another key under the signer's id does not vouch for the same head.
    const stranger = [{ keyId: trustedPublicKeys()[0]!.keyId, key: generateKeyPairSync('ed25519').publicKey }];
    expect(await hotTransaction(vouched(false, stranger))).toBe(false);
    expect(await getDb().$transaction(vouched(false, stranger))).toBe(false);
  });
});
