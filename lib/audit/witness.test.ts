// The witness at AUDIT_WITNESS_URL: each checkpoint POSTed to it, and what it holds read back by every verification,
// so a database rolled back to an older signed state (its latest checkpoint gone) is caught without a local file.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getDb } from '@/lib/db';
import { getEnv, resetEnvCache } from '@/lib/env';
import { asOwner } from '@/lib/testing/owner';
import { appendNotes } from '@/lib/testing/partitions';
import { createPerson } from '@/lib/testing/people';
import { runVerification, signCheckpoint, verifyChainNow } from './integrity';

const TOKEN = 'witness-test-token';
/** A witness service: keeps what it is POSTed (with the right token), answers a GET with all of it. */
const held: string[] = [];
const seen: { method: string; authorization?: string }[] = [];
let answering = true;
const server: Server = createServer((req, res) => {
  seen.push({ method: req.method!, authorization: req.headers.authorization });
  if (req.headers.authorization !== `Bearer ${TOKEN}` || !answering) {
    res.writeHead(answering ? 401 : 503).end();
    return;
  }
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      held.push(body.trim());
      res.writeHead(201).end();
    });
    return;
  }
  res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(held.map((l) => `${l}\n`).join(''));
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AUDIT_WITNESS_URL', `http://127.0.0.1:${(server.address() as AddressInfo).port}/checkpoints`);
  vi.stubEnv('AUDIT_WITNESS_TOKEN', 'env:CUSTODIAN_TEST_WITNESS_TOKEN');
  vi.stubEnv('CUSTODIAN_TEST_WITNESS_TOKEN', TOKEN);
  resetEnvCache();
});
afterAll(async () => {
  vi.unstubAllEnvs();
  resetEnvCache();
  await new Promise((resolve) => server.close(resolve));
});

describe('the witness at a URL', () => {
  it('receives each checkpoint, read back by every verification', async () => {
    await appendNotes(3);
    const first = await signCheckpoint();
    await appendNotes(3);
    const second = await signCheckpoint();
    expect(held.map((l) => JSON.parse(l).number)).toEqual([String(first!.number), String(second!.number)]);
    expect(seen.filter((s) => s.method === 'POST').every((s) => s.authorization === `Bearer ${TOKEN}`)).toBe(true);
    // Each checkpoint pinned twice: as stored, and as the witness holds it (read back).
    expect(await runVerification(getDb(), null)).toMatchObject({ ok: true, checkpointsVerified: 4 });
    expect(seen.at(-1)).toMatchObject({ method: 'GET' });
  });

  it('a checkpoint the witness lost (or an empty answer) is sent again, and the run waits for it', async () => {
    const lost = held.pop()!;
    // Past the few minutes a checkpoint may still be on its way.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() + 10 * 60_000 });
    try {
      const run = await runVerification(getDb(), null);
      expect(run).toMatchObject({ ok: false, brokenSeq: null, headHash: null });
      expect(run.reason).toMatch(/lacks 1 signed checkpoint\(s\) \(from number 2\): sent again/);
      expect(held.at(-1)).toBe(lost.trim());
      expect(await runVerification(getDb(), null)).toMatchObject({ ok: true });
      // A witness answering nothing at all vouches for nothing: the latest checkpoint is sent again.
      const all = held.splice(0);
      expect((await runVerification(getDb(), null)).reason).toMatch(/lacks 1 signed checkpoint\(s\) \(from number 2\)/);
      held.splice(0, held.length, ...all);
    } finally {
      vi.useRealTimers();
    }
  });

  it('a checkpoint row forged in the database is never sent on to the witness', async () => {
    const real = await getDb().auditCheckpoint.findFirstOrThrow({ orderBy: { number: 'desc' } });
    await asOwner(
      'ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER USER',
      `INSERT INTO "AuditCheckpoint" ("id", "number", "format", "seq", "hash", "signedAt", "keyId", "signature")
       VALUES ('forged', ${real.number + 1n}, 2, ${real.seq}, '${real.hash}', now() - interval '1 hour',
         '${real.keyId}', '${real.signature}')`,
      'ALTER TABLE "AuditCheckpoint" ENABLE TRIGGER USER',
    );
    const before = held.length;
    try {
      expect(await runVerification(getDb(), null)).toMatchObject({ ok: false });
      expect(held).toHaveLength(before);
    } finally {
      await asOwner(
        'ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER USER',
        `DELETE FROM "AuditCheckpoint" WHERE "id" = 'forged'`,
        'ALTER TABLE "AuditCheckpoint" ENABLE TRIGGER USER',
      );
    }
  });

  it('a witness that does not answer leaves the run unverified, never passing, with nothing named broken', async () => {
    answering = false;
    try {
      const run = await runVerification(getDb(), null);
      expect(run).toMatchObject({ ok: false, brokenSeq: null, headHash: null });
      expect(run.reason).toMatch(
        /^not checked against the witness: the witness at 127\.0\.0\.1:\d+ could not be read \(HTTP 503\)$/,
      );
      const auditor = await createPerson(['AUDITOR']);
      expect(await verifyChainNow(auditor)).toMatch(/^Not verified: not checked against the witness/);
    } finally {
      answering = true;
    }
    expect(await runVerification(getDb(), null)).toMatchObject({ ok: true });
  });

  // Last: the database stays rolled back.
  it('a rollback that deletes the latest checkpoint is named from what the witness holds', async () => {
    const latest = await getDb().auditCheckpoint.findFirstOrThrow({ orderBy: { number: 'desc' } });
    await asOwner(
      'ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER USER',
      `DELETE FROM "AuditCheckpoint" WHERE "number" = ${latest.number}`,
      'ALTER TABLE "AuditCheckpoint" ENABLE TRIGGER USER',
    );
    const run = await runVerification(getDb(), null);
    expect(run).toMatchObject({ ok: false, brokenSeq: latest.seq });
    expect(run.reason).toMatch(new RegExp(`checkpoint ${latest.number} \\(seq \\d+\\) is in the witness but missing`));
  });

  it('is https, but for a witness on this machine', () => {
    for (const [url, ok] of [
      ['https://witness.example/checkpoints', true],
      ['http://127.0.0.1:9000/checkpoints', true],
      ['http://localhost/checkpoints', true],
      ['http://witness.example/checkpoints', false],
      ['http://127.0.0.1.evil.example/checkpoints', false],
    ] as const) {
      vi.stubEnv('AUDIT_WITNESS_URL', url);
      resetEnvCache();
      if (ok) expect(() => getEnv()).not.toThrow();
      else expect(() => getEnv()).toThrow(/AUDIT_WITNESS_URL: Use https/);
    }
  });
});
