// The chain verified by three worker threads over disjoint ranges says what one walk says: every event counted, the
// same head, and a change anywhere — inside a range or at the seam between two — named at the same seq.
import { beforeAll, expect, it } from 'vitest';
import { getDb } from '@/lib/db';
import { asOwner } from '@/lib/testing/owner';
import { appendNotes } from '@/lib/testing/partitions';
import { describeWithPostgresServer } from '@/lib/testing/postgres';
import { hashEvent } from './canonical';
import { sealDetails } from './fields';
import { signCheckpoint } from './integrity';
import { trustedPublicKeys } from './signing';
import { verifyAuditChain } from './verify';
import { planRanges, verifyAuditChainParallel } from './verify-parallel';

const keys = trustedPublicKeys();
const single = () => verifyAuditChain(getDb(), { keys });
const parallel = () => verifyAuditChainParallel(getDb(), { keys, workers: 3 });
const TRIGGERS_OFF = 'ALTER TABLE "AuditEvent" DISABLE TRIGGER USER';
const TRIGGERS_ON = 'ALTER TABLE "AuditEvent" ENABLE TRIGGER USER';

/** Changes a note in place (its hash left stale), runs `check`, and puts it back. */
async function altered(seq: bigint, check: () => Promise<void>) {
  const before = await getDb().auditEvent.findUniqueOrThrow({ where: { seq } });
  await asOwner(
    TRIGGERS_OFF,
    `UPDATE "AuditEvent" SET "details" = '{"note": "changed"}' WHERE "seq" = ${seq}`,
    TRIGGERS_ON,
  );
  try {
    await check();
  } finally {
    await asOwner(
      TRIGGERS_OFF,
      `UPDATE "AuditEvent" SET "details" = '${JSON.stringify(before.details)}' WHERE "seq" = ${seq}`,
      TRIGGERS_ON,
    );
  }
}

describeWithPostgresServer('parallel verification', () => {
  beforeAll(async () => {
    await appendNotes(15);
    await signCheckpoint();
    await appendNotes(15);
  });

  it('cuts the chain into stitched ranges and finds what one walk finds', async () => {
    const ranges = await planRanges(getDb(), 3, keys);
    expect(ranges.map((r) => [r.from.seq, r.through])).toEqual([
      [0n, 10n],
      [10n, 20n],
      [20n, undefined],
    ]);
    const one = await single();
    expect(one.ok).toBe(true);
    expect(await parallel()).toEqual({ ...one });
  });

  it.each([
    ['inside the middle range', 15n],
    ['at the last seq of a range', 10n],
    ['at the first seq of a range', 21n],
  ])('a change %s is named at its seq, as one walk names it', async (_, seq) => {
    await altered(seq, async () => {
      const one = await single();
      expect(one).toMatchObject({ ok: false, brokenSeq: seq });
      expect(await parallel()).toMatchObject({ ok: false, brokenSeq: seq, reason: one.ok ? '' : one.reason });
    });
  });

  it('a seam rewritten (the link a range starts from) is caught where the ranges meet', async () => {
    const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: 11n } });
    await asOwner(
      TRIGGERS_OFF,
      `UPDATE "AuditEvent" SET "prevHash" = '${'b'.repeat(64)}' WHERE "seq" = 11`,
      TRIGGERS_ON,
    );
    try {
      const one = await single();
      expect(one.ok).toBe(false);
      const many = await parallel();
      expect(many).toMatchObject({ ok: false });
      expect(many.ok ? null : many.brokenSeq).toBe(one.ok ? null : one.brokenSeq);
    } finally {
      await asOwner(
        TRIGGERS_OFF,
        `UPDATE "AuditEvent" SET "prevHash" = '${event.prevHash}' WHERE "seq" = 11`,
        TRIGGERS_ON,
      );
    }
  });

  it('a range’s last event rewritten, its signature gone, a junk archive row at the seam: still caught', async () => {
    const event = await getDb().auditEvent.findUniqueOrThrow({ where: { seq: 10n } });
    const signature = await getDb().auditSignature.findUnique({ where: { seq: 10n } });
    const sealed = sealDetails({ note: 'rewritten' });
    const hash = hashEvent(event.prevHash, { ...event, details: { note: 'rewritten' }, ...sealed });
    const zero = '0'.repeat(64);
    await asOwner(
      TRIGGERS_OFF,
      'ALTER TABLE "AuditSignature" DISABLE TRIGGER USER',
      `UPDATE "AuditEvent" SET "details" = '{"note": "rewritten"}', "digests" = '${JSON.stringify(sealed.digests)}',
         "salts" = '${JSON.stringify(sealed.salts)}', "hash" = '${hash}' WHERE "seq" = 10`,
      'DELETE FROM "AuditSignature" WHERE "seq" = 10',
      'ALTER TABLE "AuditSignature" ENABLE TRIGGER USER',
      TRIGGERS_ON,
      `INSERT INTO "AuditArchive" ("id", "partition", "fromSeq", "toSeq", "count", "headIn", "headOut", "fileSha256",
         "eventSeq", "carried", "archivedAt", "keyId", "signature")
       VALUES ('junk', 'x', 11, 1, 1, '${zero}', '${zero}', '${zero}', 1, '[]', now(), 'k', 's')`,
    );
    const one = await single();
    expect(one).toMatchObject({ ok: false, brokenSeq: 10n });
    expect(await parallel()).toMatchObject({ ok: false, brokenSeq: 10n, reason: one.ok ? '' : one.reason });
    expect(signature).not.toBeNull();
  });
});
